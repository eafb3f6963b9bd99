using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Otter.Ledger.Merkle;
using Otter.Ledger.Notes;
using Otter.Ledger.Storage;
using Otter.Ledger.Tiles;
using Otter.Trust.Keys;

namespace Otter.Ledger.Log;

/// <summary>
/// An append-only RFC 6962 Merkle log stored as C2SP tlog-tiles. An append writes entry
/// bundles, tiles and the leaf index, each durably, and only then the new signed checkpoint:
/// an append is acknowledged (returns) only once all of it is on disk, and after a crash at any
/// point the log reopens at its last checkpoint with nothing acknowledged lost.
/// </summary>
public sealed class TransparencyLog : IDisposable
{
    /// <summary>Largest entry: bundles store lengths as uint16.</summary>
    public const int MaxEntryLength = ushort.MaxValue;

    private readonly ILogStorage _storage;
    private readonly ISigner? _signer;
    private readonly IDisposable? _lock;
    private TreeEdge _edge;
    private bool _checkpointInDoubt;

    private TransparencyLog(ILogStorage storage, LogConfig config, NoteKey key, ISigner? signer, IDisposable? writerLock, TreeEdge edge, SignedCheckpoint checkpoint)
    {
        _storage = storage;
        Config = config;
        Key = key;
        _signer = signer;
        _lock = writerLock;
        _edge = edge;
        Checkpoint = checkpoint;
    }

    /// <summary>Origin and public key.</summary>
    public LogConfig Config { get; }

    /// <summary>The key checkpoints are verified with.</summary>
    public NoteKey Key { get; }

    /// <summary>The current signed checkpoint.</summary>
    public SignedCheckpoint Checkpoint { get; private set; }

    /// <summary>Entries in the log.</summary>
    public long Size => _edge.Size;

    /// <summary>Creates an empty log and signs its first checkpoint (size 0).</summary>
    /// <exception cref="LogStateException">The storage already holds a log, or the origin is not valid.</exception>
    public static async Task<TransparencyLog> CreateAsync(ILogStorage storage, string origin, ISigner signer, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(storage);
        ArgumentNullException.ThrowIfNull(signer);
        NoteKey key;
        try
        {
            key = NoteKey.FromPem(origin, signer.PublicKey.KeyValue.Public);
        }
        catch (LedgerException ex)
        {
            throw new LogStateException($"--origin \"{origin}\" cannot name a log: {ex.Message} Use e.g. fleet.example.com/otter-log.", ex);
        }

        var writerLock = storage.LockForWriting();
        try
        {
            // The checkpoint is written last: a log.json without one is a creation that was
            // interrupted, which may be done again.
            if (storage.Exists(TilePaths.Checkpoint))
            {
                throw new LogStateException("a log already exists there; Otter never re-creates a log (its history would change). Use another directory.");
            }

            var config = new LogConfig { Origin = origin, VerifierKey = key.VerifierKey, PublicKey = signer.PublicKey.KeyValue.Public };
            var checkpoint = SignCheckpoint(config, TreeEdge.Empty, signer);
            await storage.WriteAsync(LogPaths.Config, JsonSerializer.SerializeToUtf8Bytes(config, LedgerJsonContext.Default.LogConfig), cancellationToken);
            await storage.WriteAsync(TilePaths.Checkpoint, Encoding.UTF8.GetBytes(checkpoint.NoteText), cancellationToken);
            return new TransparencyLog(storage, config, key, signer, writerLock, TreeEdge.Empty, checkpoint);
        }
        catch
        {
            writerLock.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Opens a log. With a <paramref name="signer"/> (which must be the log's key) it can
    /// append and holds the writer lock; without, it is read-only.
    /// </summary>
    /// <exception cref="LogStateException">No log, wrong key, or damaged storage.</exception>
    public static async Task<TransparencyLog> OpenAsync(ILogStorage storage, ISigner? signer, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(storage);
        var writerLock = signer is null ? null : storage.LockForWriting();
        try
        {
            var configBytes = await storage.ReadAsync(LogPaths.Config, cancellationToken)
                ?? throw new LogStateException($"there is no log here ({LogPaths.Config} is missing); create one with `otter log init`.");
            LogConfig config;
            NoteKey key;
            try
            {
                config = JsonSerializer.Deserialize(configBytes, LedgerJsonContext.Default.LogConfig)
                    ?? throw new LogStateException($"{LogPaths.Config} is empty.");
                key = NoteKey.FromPem(config.Origin, config.PublicKey);
            }
            catch (Exception ex) when (ex is JsonException or LedgerException)
            {
                throw new LogStateException($"{LogPaths.Config} is damaged ({ex.Message}); restore it from a backup.", ex);
            }

            if (signer is not null && NoteKey.FromPem(config.Origin, signer.PublicKey.KeyValue.Public).KeyId != key.KeyId)
            {
                throw new LogStateException($"--key {signer.Source} is not this log's key (the log's verifier key is {config.VerifierKey}).");
            }

            var checkpointBytes = await storage.ReadAsync(TilePaths.Checkpoint, cancellationToken)
                ?? throw new LogStateException("the log's checkpoint is missing; the log directory is damaged.");
            SignedCheckpoint checkpoint;
            try
            {
                checkpoint = SignedCheckpoint.Verify(checkpointBytes, config.Origin, [key]);
            }
            catch (LedgerException ex)
            {
                throw new LogStateException($"the log's checkpoint does not verify: {ex.Message}", ex);
            }

            var edge = await LoadEdgeAsync(storage, checkpoint.Checkpoint.Size, cancellationToken);
            if (!CryptographicOperations.FixedTimeEquals(edge.Root(), checkpoint.Checkpoint.RootHash))
            {
                throw new LogStateException($"the log's tiles do not hash to its checkpoint's root (size {edge.Size}); the log directory is damaged.");
            }

            if (signer is not null)
            {
                // Index records past the checkpoint belong to an append that never completed.
                var indexLength = edge.Size * LogPaths.LeafIndexRecord;
                if (storage.Length(LogPaths.LeafIndex) > indexLength)
                {
                    await storage.TruncateAndAppendAsync(LogPaths.LeafIndex, indexLength, ReadOnlyMemory<byte>.Empty, cancellationToken);
                }

                (storage as DirectoryLogStorage)?.CleanTemporaryFiles();
            }

            return new TransparencyLog(storage, config, key, signer, writerLock, edge, checkpoint);
        }
        catch
        {
            writerLock?.Dispose();
            throw;
        }
    }

    /// <summary>Appends <paramref name="entries"/> as one batch under one new checkpoint.</summary>
    /// <exception cref="LogStateException">
    /// The log is read-only, the batch is empty, an entry is too long, or an earlier append
    /// failed while writing its checkpoint (open the log again).
    /// </exception>
    public async Task<AppendResult> AppendAsync(IReadOnlyList<byte[]> entries, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(entries);
        var signer = _signer ?? throw new LogStateException("the log was opened read-only; open it with its key to append.");
        if (_checkpointInDoubt)
        {
            throw new LogStateException("an earlier append failed while writing its checkpoint, which may still have been published; open the log again before appending.");
        }

        if (entries.Count == 0)
        {
            throw new LogStateException("nothing to append: give at least one entry.");
        }

        for (var i = 0; i < entries.Count; i++)
        {
            if (entries[i].Length > MaxEntryLength)
            {
                throw new LogStateException($"entry {i + 1} of the batch is {entries[i].Length} bytes; log entries are at most {MaxEntryLength} bytes.");
            }
        }

        var start = _edge.Size;
        var leafHashes = new byte[entries.Count][];
        var index = new byte[entries.Count * LogPaths.LeafIndexRecord];
        for (var i = 0; i < entries.Count; i++)
        {
            leafHashes[i] = MerkleHasher.HashLeaf(entries[i]);
            leafHashes[i].CopyTo(index, i * LogPaths.LeafIndexRecord);
            BinaryPrimitives.WriteInt64BigEndian(index.AsSpan((i * LogPaths.LeafIndexRecord) + MerkleHasher.HashSize), start + i);
        }

        var (edge, files) = Extend(_edge, entries, leafHashes);
        await _storage.WriteAllAsync(files, cancellationToken);

        await _storage.TruncateAndAppendAsync(LogPaths.LeafIndex, start * LogPaths.LeafIndexRecord, index, cancellationToken);
        var checkpoint = SignCheckpoint(Config, edge, signer);
        try
        {
            await _storage.WriteAsync(TilePaths.Checkpoint, Encoding.UTF8.GetBytes(checkpoint.NoteText), cancellationToken);
        }
        catch
        {
            // The new checkpoint may be on disk (and served) although the write failed: another
            // append from the old edge could sign a second, different tree of the same size.
            _checkpointInDoubt = true;
            throw;
        }

        _edge = edge;
        Checkpoint = checkpoint;
        return new AppendResult(start, leafHashes, checkpoint);
    }

    /// <summary>The index of the entry with leaf hash <paramref name="leafHash"/>, or null when the log has none.</summary>
    public long? FindIndex(ReadOnlySpan<byte> leafHash)
    {
        if (leafHash.Length != MerkleHasher.HashSize)
        {
            throw new LedgerException($"a leaf hash is {MerkleHasher.HashSize} bytes, not {leafHash.Length}.");
        }

        const int recordsPerRead = 4096;
        var buffer = new byte[recordsPerRead * LogPaths.LeafIndexRecord];
        for (long first = 0; first < Size; first += recordsPerRead)
        {
            var count = (int)Math.Min(recordsPerRead, Size - first);
            var read = _storage.ReadAt(LogPaths.LeafIndex, first * LogPaths.LeafIndexRecord, buffer.AsSpan(0, count * LogPaths.LeafIndexRecord));
            for (var i = 0; i < read / LogPaths.LeafIndexRecord; i++)
            {
                var record = buffer.AsSpan(i * LogPaths.LeafIndexRecord, LogPaths.LeafIndexRecord);
                if (record[..MerkleHasher.HashSize].SequenceEqual(leafHash))
                {
                    return BinaryPrimitives.ReadInt64BigEndian(record[MerkleHasher.HashSize..]);
                }
            }

            if (read < count * LogPaths.LeafIndexRecord)
            {
                throw new LogStateException($"the leaf index is shorter than the log ({Size} entries); rebuild it or restore the log from a backup.");
            }
        }

        return null;
    }

    /// <summary>The inclusion proof of entry <paramref name="index"/> in the tree of <paramref name="size"/> (default: the current size).</summary>
    public Task<InclusionProof> ProveInclusionAsync(long index, long? size = null, CancellationToken cancellationToken = default) =>
        new ProofBuilder(new TileHashReader(_storage, Size), Checkpoint.Checkpoint.RootHash).InclusionAsync(index, size ?? Size, cancellationToken);

    /// <summary>The consistency proof from the tree of <paramref name="size1"/> to <paramref name="size2"/> (default: the current size).</summary>
    public Task<ConsistencyProof> ProveConsistencyAsync(long size1, long? size2 = null, CancellationToken cancellationToken = default) =>
        new ProofBuilder(new TileHashReader(_storage, Size), Checkpoint.Checkpoint.RootHash).ConsistencyAsync(size1, size2 ?? Size, cancellationToken);

    /// <summary>Reads entry <paramref name="index"/> from its bundle.</summary>
    public async Task<byte[]> ReadEntryAsync(long index, CancellationToken cancellationToken = default)
    {
        if (index < 0 || index >= Size)
        {
            throw new LedgerException($"entry {index} is not in the log ({Size} entries).");
        }

        var bundleIndex = index / TilePaths.TileWidth;
        var width = (int)Math.Min(TilePaths.TileWidth, Size - (bundleIndex * TilePaths.TileWidth));
        var path = TilePaths.EntryBundle(bundleIndex, width);
        var bundle = await _storage.ReadAsync(path, cancellationToken)
            ?? throw new LogStateException($"entry bundle {path} is missing; the log directory is damaged.");
        var entries = EntryBundles.Split(bundle, path);
        var position = (int)(index % TilePaths.TileWidth);
        if (entries.Count <= position)
        {
            throw new LogStateException($"entry bundle {path} holds {entries.Count} entries, fewer than expected; the log directory is damaged.");
        }

        return entries[position];
    }

    /// <inheritdoc />
    public void Dispose() => _lock?.Dispose();

    private static SignedCheckpoint SignCheckpoint(LogConfig config, TreeEdge edge, ISigner signer)
    {
        var checkpoint = new Checkpoint(config.Origin, edge.Size, edge.Root(), []);
        var note = SignedNote.Sign(checkpoint.ToText(), config.Origin, signer);
        return new SignedCheckpoint(checkpoint, note);
    }

    private static async Task<TreeEdge> LoadEdgeAsync(ILogStorage storage, long size, CancellationToken cancellationToken)
    {
        if (size == 0)
        {
            return TreeEdge.Empty;
        }

        var levels = new List<byte[]>();
        for (var level = 0; (size >> (TilePaths.TileHeight * level)) > 0; level++)
        {
            var width = TilePaths.PartialWidth(level, size);
            if (width == 0)
            {
                levels.Add([]);
                continue;
            }

            var tileIndex = size >> (TilePaths.TileHeight * (level + 1));
            var path = TilePaths.Tile(level, tileIndex, width);
            var tile = await storage.ReadAsync(path, cancellationToken)
                ?? throw new LogStateException($"tile {path} is missing; the log directory is damaged.");
            if (tile.Length != width * MerkleHasher.HashSize)
            {
                throw new LogStateException($"tile {path} is {tile.Length} bytes, not {width * MerkleHasher.HashSize}; the log directory is damaged.");
            }

            levels.Add(tile);
        }

        var bundleWidth = TilePaths.PartialWidth(0, size);
        List<byte[]> bundle = [];
        if (bundleWidth > 0)
        {
            var path = TilePaths.EntryBundle(size / TilePaths.TileWidth, bundleWidth);
            var bytes = await storage.ReadAsync(path, cancellationToken)
                ?? throw new LogStateException($"entry bundle {path} is missing; the log directory is damaged.");
            bundle = EntryBundles.Split(bytes, path);
            if (bundle.Count != bundleWidth)
            {
                throw new LogStateException($"entry bundle {path} holds {bundle.Count} entries, not {bundleWidth}; the log directory is damaged.");
            }
        }

        return new TreeEdge(size, TrimTrailingEmpty(levels), bundle);
    }

    private static List<byte[]> TrimTrailingEmpty(List<byte[]> levels)
    {
        while (levels.Count > 0 && levels[^1].Length == 0)
        {
            levels.RemoveAt(levels.Count - 1);
        }

        return levels;
    }

    // Computes the tiles and bundles a batch creates or widens, without touching storage.
    private static (TreeEdge Edge, List<(string Path, byte[] Bytes)> Files) Extend(TreeEdge edge, IReadOnlyList<byte[]> entries, byte[][] leafHashes)
    {
        var files = new List<(string, byte[])>();
        var newSize = edge.Size + entries.Count;

        // Entry bundles.
        var bundle = new List<byte[]>(edge.PartialBundle);
        var bundleIndex = edge.Size / TilePaths.TileWidth;
        foreach (var entry in entries)
        {
            bundle.Add(entry);
            if (bundle.Count == TilePaths.TileWidth)
            {
                files.Add((TilePaths.EntryBundle(bundleIndex, TilePaths.TileWidth), EntryBundles.Join(bundle)));
                bundle.Clear();
                bundleIndex++;
            }
        }

        if (bundle.Count > 0)
        {
            files.Add((TilePaths.EntryBundle(bundleIndex, bundle.Count), EntryBundles.Join(bundle)));
        }

        // Hash tiles, level by level: a tile that fills up is written in full and its root
        // becomes one more hash of the level above.
        var levels = new List<byte[]>();
        var incoming = leafHashes.ToList();
        for (var level = 0; incoming.Count > 0 || level < edge.PartialTiles.Count; level++)
        {
            var current = new List<byte[]>();
            if (level < edge.PartialTiles.Count)
            {
                var existing = edge.PartialTiles[level];
                for (var offset = 0; offset < existing.Length; offset += MerkleHasher.HashSize)
                {
                    current.Add(existing[offset..(offset + MerkleHasher.HashSize)]);
                }
            }

            var changed = incoming.Count > 0;
            var tileIndex = (edge.Size >> (TilePaths.TileHeight * level)) / TilePaths.TileWidth;
            var promoted = new List<byte[]>();
            foreach (var hash in incoming)
            {
                current.Add(hash);
                if (current.Count == TilePaths.TileWidth)
                {
                    var tile = Concat(current);
                    files.Add((TilePaths.Tile(level, tileIndex, TilePaths.TileWidth), tile));
                    var root = new byte[MerkleHasher.HashSize];
                    MerkleHasher.RootOfPerfectRun(tile, TilePaths.TileWidth, new byte[tile.Length], root);
                    promoted.Add(root);
                    current.Clear();
                    tileIndex++;
                }
            }

            var partial = Concat(current);
            if (changed && current.Count > 0)
            {
                files.Add((TilePaths.Tile(level, tileIndex, current.Count), partial));
            }

            levels.Add(partial);
            incoming = promoted;
        }

        return (new TreeEdge(newSize, TrimTrailingEmpty(levels), bundle.ToList()), files);
    }

    private static byte[] Concat(List<byte[]> hashes)
    {
        var bytes = new byte[hashes.Count * MerkleHasher.HashSize];
        for (var i = 0; i < hashes.Count; i++)
        {
            hashes[i].CopyTo(bytes, i * MerkleHasher.HashSize);
        }

        return bytes;
    }
}
