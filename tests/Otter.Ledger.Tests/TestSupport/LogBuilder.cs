using System.Buffers.Binary;
using Otter.Ledger.Log;
using Otter.Ledger.Storage;
using Otter.Trust.Keys;

namespace Otter.Ledger.Tests.TestSupport;

/// <summary>Builds test logs with random batch splits and keeps the reference model of what was acknowledged.</summary>
public sealed class LogBuilder
{
    /// <summary>The origin test logs use.</summary>
    public const string Origin = "test.example/otter-log";

    private readonly Random _random;

    /// <summary>Uses <paramref name="random"/> for entry contents and batch sizes.</summary>
    public LogBuilder(Random random)
    {
        _random = random;
    }

    /// <summary>Every acknowledged entry, in log order.</summary>
    public List<byte[]> Entries { get; } = [];

    /// <summary>The reference tree of the acknowledged entries.</summary>
    public ReferenceMerkle Reference { get; } = new();

    /// <summary>The sizes of every checkpoint the log signed (0 first).</summary>
    public List<long> PublishedSizes { get; } = [0];

    /// <summary>A new software P-256 signer.</summary>
    public static EcdsaSigner NewSigner(string source = "test-key") => new(EcdsaP256.Generate(), source);

    /// <summary>Creates a log at <paramref name="directory"/> with a new key; the caller disposes both.</summary>
    public static async Task<(TransparencyLog Log, EcdsaSigner Signer)> CreateAsync(string directory, string origin = Origin)
    {
        var signer = NewSigner();
        var log = await TransparencyLog.CreateAsync(new DirectoryLogStorage(directory), origin, signer);
        return (log, signer);
    }

    /// <summary>
    /// A unique entry: its index (8 bytes, big-endian) plus 0 to 47 random bytes and a tag
    /// byte, so that two builders with different tags never produce the same entry.
    /// </summary>
    public byte[] NewEntry(long index, byte tag = 0)
    {
        var entry = new byte[9 + _random.Next(48)];
        BinaryPrimitives.WriteInt64BigEndian(entry, index);
        entry[8] = tag;
        _random.NextBytes(entry.AsSpan(9));
        return entry;
    }

    /// <summary><paramref name="count"/> new entries continuing from <paramref name="firstIndex"/>.</summary>
    public List<byte[]> NewEntries(long firstIndex, int count, byte tag = 0) =>
        Enumerable.Range(0, count).Select(i => NewEntry(firstIndex + i, tag)).ToList();

    /// <summary>Random batch sizes adding up to <paramref name="total"/>: many small, some large.</summary>
    public List<int> RandomBatches(int total)
    {
        var batches = new List<int>();
        var large = Math.Max(1, total / 6);
        while (total > 0)
        {
            var size = _random.Next(4) == 0 ? _random.Next(1, 4) : _random.Next(1, large + 1);
            size = Math.Min(size, total);
            batches.Add(size);
            total -= size;
        }

        return batches;
    }

    /// <summary>Appends <paramref name="entries"/> as one batch and records them as acknowledged once it returns.</summary>
    public async Task<AppendResult> AppendAsync(TransparencyLog log, List<byte[]> entries)
    {
        ArgumentNullException.ThrowIfNull(log);
        ArgumentNullException.ThrowIfNull(entries);
        var result = await log.AppendAsync(entries);
        Acknowledge(entries);
        return result;
    }

    /// <summary>Records <paramref name="entries"/> as appended under a new checkpoint.</summary>
    public void Acknowledge(List<byte[]> entries)
    {
        ArgumentNullException.ThrowIfNull(entries);
        foreach (var entry in entries)
        {
            Entries.Add(entry);
            Reference.AddEntry(entry);
        }

        PublishedSizes.Add(Entries.Count);
    }

    /// <summary>Appends <paramref name="count"/> new entries in random batches.</summary>
    public async Task AppendRandomBatchesAsync(TransparencyLog log, int count)
    {
        foreach (var batch in RandomBatches(count))
        {
            await AppendAsync(log, NewEntries(Entries.Count, batch));
        }
    }
}
