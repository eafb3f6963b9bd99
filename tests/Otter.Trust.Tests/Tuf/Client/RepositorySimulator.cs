using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Otter.Trust.Keys;
using Otter.Trust.Tuf;
using Otter.Trust.Tuf.Client;

namespace Otter.Trust.Tests.Tuf.Client;

/// <summary>
/// An in-memory TUF repository that serves signed files to a <see cref="TufUpdater"/> and
/// lets a test play the attacker: publish any version, sign with any key, tamper with bytes,
/// serve endless data, remove files.
/// </summary>
internal sealed class RepositorySimulator : IRepositoryFetcher, IDisposable
{
    public static readonly DateTimeOffset Start = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private readonly List<ISigner> _owned = [];
    private readonly Dictionary<string, TargetsMetadata> _targetsRoles = new(StringComparer.Ordinal);
    private readonly Dictionary<string, (long Version, byte[] Bytes)> _publishedRoles = new(StringComparer.Ordinal);
    private readonly SortedSet<string> _dirty = new(StringComparer.Ordinal);
    private (long Version, byte[] Bytes) _publishedSnapshot;

    /// <summary>Creates and publishes version 1 of every top-level role.</summary>
    /// <param name="consistentSnapshot">The root's consistent_snapshot.</param>
    /// <param name="threshold">How many keys every top-level role has, all of them needed.</param>
    public RepositorySimulator(bool consistentSnapshot = true, int threshold = 1)
    {
        Time = new ManualTimeProvider(Start);
        foreach (var role in TufRoles.TopLevel)
        {
            Signers[role] = [.. Enumerable.Range(0, threshold).Select(i => (ISigner)NewSigner($"{role}-{i}"))];
        }

        Root = new RootMetadata
        {
            Type = TufRoles.Root,
            SpecVersion = TufRoles.SpecVersion,
            Version = 1,
            Expires = Start.AddDays(365),
            ConsistentSnapshot = consistentSnapshot,
            Keys = Signers.Values.SelectMany(s => s).ToDictionary(s => s.KeyId, s => s.PublicKey, StringComparer.Ordinal),
            Roles = TufRoles.TopLevel.ToDictionary(
                r => r,
                r => new RoleKeys { KeyIds = [.. Signers[r].Select(s => s.KeyId)], Threshold = threshold },
                StringComparer.Ordinal),
        };
        _targetsRoles[TufRoles.Targets] = NewTargetsRole();
        Snapshot = new SnapshotMetadata
        {
            Type = TufRoles.Snapshot,
            SpecVersion = TufRoles.SpecVersion,
            Version = 1,
            Expires = Start.AddDays(30),
            Meta = new Dictionary<string, MetaFile>(),
        };
        Timestamp = new TimestampMetadata
        {
            Type = TufRoles.Timestamp,
            SpecVersion = TufRoles.SpecVersion,
            Version = 1,
            Expires = Start.AddDays(1),
            Meta = new Dictionary<string, MetaFile> { ["snapshot.json"] = new() { Version = 1 } },
        };
        InitialRootBytes = PublishRoot();
        PublishTargetsRole(TufRoles.Targets);
        PublishSnapshot();
        PublishTimestamp();
    }

    public ManualTimeProvider Time { get; }

    /// <summary>The keys each role is signed with by default (top-level and delegated roles).</summary>
    public Dictionary<string, List<ISigner>> Signers { get; } = new(StringComparer.Ordinal);

    public RootMetadata Root { get; set; }

    public TimestampMetadata Timestamp { get; set; }

    public SnapshotMetadata Snapshot { get; set; }

    public TargetsMetadata Targets
    {
        get => _targetsRoles[TufRoles.Targets];
        set => _targetsRoles[TufRoles.Targets] = value;
    }

    /// <summary>The first root, which a client is provisioned with.</summary>
    public byte[] InitialRootBytes { get; }

    /// <summary>Metadata files served, by file name.</summary>
    public Dictionary<string, byte[]> MetadataFiles { get; } = new(StringComparer.Ordinal);

    /// <summary>Target files served, by the path they are fetched under.</summary>
    public Dictionary<string, byte[]> TargetFiles { get; } = new(StringComparer.Ordinal);

    /// <summary>Streams served instead of files (endless data), by file name or target path.</summary>
    public Dictionary<string, Func<Stream>> StreamOverrides { get; } = new(StringComparer.Ordinal);

    /// <summary>Everything fetched, as "meta:name" or "target:path", in order.</summary>
    public List<string> FetchLog { get; } = [];

    /// <summary>Whether snapshot meta lists lengths and sha256 hashes of targets roles.</summary>
    public bool SnapshotMetaHashes { get; set; } = true;

    /// <summary>Whether timestamp meta lists the length and sha256 hash of the snapshot.</summary>
    public bool TimestampMetaHashes { get; set; } = true;

    public bool ConsistentSnapshot => Root.ConsistentSnapshot;

    public TargetsMetadata GetTargetsRole(string role) => _targetsRoles[role];

    public void SetTargetsRole(string role, TargetsMetadata metadata) => _targetsRoles[role] = metadata;

    public EcdsaSigner NewSigner(string label)
    {
        var signer = new EcdsaSigner(EcdsaP256.Generate(), "sim-" + label);
        _owned.Add(signer);
        return signer;
    }

    public InMemoryTrustedMetadataStore CreateStore()
    {
        var store = new InMemoryTrustedMetadataStore();
        store.WriteAsync(TufRoles.Root, InitialRootBytes, CancellationToken.None).AsTask().GetAwaiter().GetResult();
        return store;
    }

    public TufUpdater CreateUpdater(ITrustedMetadataStore store, TufClientOptions? options = null) =>
        new(this, store, options, Time);

    /// <summary>The file name the current version of a role is served under.</summary>
    public string FileNameOf(string role) => role switch
    {
        TufRoles.Root => $"{Root.Version}.root.json",
        TufRoles.Timestamp => "timestamp.json",
        TufRoles.Snapshot => ConsistentSnapshot ? $"{_publishedSnapshot.Version}.snapshot.json" : "snapshot.json",
        _ => ConsistentSnapshot ? $"{_publishedRoles[role].Version}.{Uri.EscapeDataString(role)}.json" : $"{Uri.EscapeDataString(role)}.json",
    };

    /// <summary>The path a target is fetched under.</summary>
    public string ServedPathOf(string path, byte[] content)
    {
        if (!ConsistentSnapshot)
        {
            return path;
        }

        var hash = Convert.ToHexStringLower(SHA256.HashData(content));
        var slash = path.LastIndexOf('/');
        return slash < 0 ? $"{hash}.{path}" : $"{path[..(slash + 1)]}{hash}.{path[(slash + 1)..]}";
    }

    public byte[] PublishRoot(IEnumerable<ISigner>? signers = null)
    {
        var bytes = TufMetadata.Sign(Root, signers ?? Signers[TufRoles.Root]).FileBytes;
        MetadataFiles[$"{Root.Version}.root.json"] = bytes;
        return bytes;
    }

    public void PublishTargetsRole(string role, IEnumerable<ISigner>? signers = null)
    {
        var metadata = _targetsRoles[role];
        var bytes = TufMetadata.Sign(metadata, signers ?? Signers[role]).FileBytes;
        _publishedRoles[role] = (metadata.Version, bytes);
        MetadataFiles[FileNameOf(role)] = bytes;
    }

    public void PublishSnapshot(IEnumerable<ISigner>? signers = null, Func<SnapshotMetadata, SnapshotMetadata>? edit = null)
    {
        Snapshot = Snapshot with
        {
            Meta = _publishedRoles.ToDictionary(
                p => p.Key + ".json",
                p => MetaFor(p.Value.Version, p.Value.Bytes, SnapshotMetaHashes),
                StringComparer.Ordinal),
        };
        if (edit is not null)
        {
            Snapshot = edit(Snapshot);
        }

        var bytes = TufMetadata.Sign(Snapshot, signers ?? Signers[TufRoles.Snapshot]).FileBytes;
        _publishedSnapshot = (Snapshot.Version, bytes);
        MetadataFiles[FileNameOf(TufRoles.Snapshot)] = bytes;
    }

    public void PublishTimestamp(IEnumerable<ISigner>? signers = null, Func<TimestampMetadata, TimestampMetadata>? edit = null)
    {
        Timestamp = Timestamp with
        {
            Meta = new Dictionary<string, MetaFile>
            {
                ["snapshot.json"] = MetaFor(_publishedSnapshot.Version, _publishedSnapshot.Bytes, TimestampMetaHashes),
            },
        };
        if (edit is not null)
        {
            Timestamp = edit(Timestamp);
        }

        MetadataFiles[FileNameOf(TufRoles.Timestamp)] = TufMetadata.Sign(Timestamp, signers ?? Signers[TufRoles.Timestamp]).FileBytes;
    }

    /// <summary>
    /// Publishes the next version of <paramref name="role"/>, signed by <paramref name="signers"/>
    /// (its own keys by default), and then, signed correctly, whatever must change with it:
    /// targets roles bump snapshot, snapshot bumps timestamp.
    /// </summary>
    public void Bump(string role, IEnumerable<ISigner>? signers = null)
    {
        switch (role)
        {
            case TufRoles.Root:
                Root = Root with { Version = Root.Version + 1 };
                PublishRoot(signers);
                break;
            case TufRoles.Timestamp:
                Timestamp = Timestamp with { Version = Timestamp.Version + 1 };
                PublishTimestamp(signers);
                break;
            case TufRoles.Snapshot:
                Snapshot = Snapshot with { Version = Snapshot.Version + 1 };
                PublishSnapshot(signers);
                Bump(TufRoles.Timestamp);
                break;
            default:
                _targetsRoles[role] = _targetsRoles[role] with { Version = _targetsRoles[role].Version + 1 };
                PublishTargetsRole(role, signers);
                Bump(TufRoles.Snapshot);
                break;
        }
    }

    /// <summary>Publishes every targets role changed through <see cref="AddTarget"/> or <see cref="Delegate"/>, then snapshot and timestamp.</summary>
    public void Commit()
    {
        foreach (var role in _dirty)
        {
            if (_publishedRoles.ContainsKey(role))
            {
                _targetsRoles[role] = _targetsRoles[role] with { Version = _targetsRoles[role].Version + 1 };
            }

            PublishTargetsRole(role);
        }

        _dirty.Clear();
        Bump(TufRoles.Snapshot);
    }

    public TargetFile AddTarget(string path, byte[] content, string role = TufRoles.Targets, IReadOnlyDictionary<string, string>? hashes = null)
    {
        var file = new TargetFile
        {
            Length = content.Length,
            Hashes = hashes ?? new Dictionary<string, string> { ["sha256"] = Convert.ToHexStringLower(SHA256.HashData(content)) },
        };
        var metadata = _targetsRoles[role];
        _targetsRoles[role] = metadata with { Targets = new Dictionary<string, TargetFile>(metadata.Targets) { [path] = file } };
        TargetFiles[ServedPathOf(path, content)] = content;
        _dirty.Add(role);
        return file;
    }

    /// <summary>Adds a delegation from <paramref name="delegator"/> to <paramref name="role"/> (created if new), lowest priority.</summary>
    public void Delegate(
        string delegator,
        string role,
        IReadOnlyList<string>? paths = null,
        IReadOnlyList<string>? pathHashPrefixes = null,
        bool terminating = false)
    {
        if (!Signers.TryGetValue(role, out var signers))
        {
            signers = [NewSigner(role)];
            Signers[role] = signers;
        }

        var parent = _targetsRoles[delegator];
        var keys = new Dictionary<string, TufKey>(parent.Delegations?.Keys ?? new Dictionary<string, TufKey>(), StringComparer.Ordinal);
        foreach (var signer in signers)
        {
            keys[signer.KeyId] = signer.PublicKey;
        }

        var roles = (parent.Delegations?.Roles ?? []).ToList();
        roles.Add(new DelegatedRole
        {
            Name = role,
            KeyIds = [.. signers.Select(s => s.KeyId)],
            Threshold = 1,
            Terminating = terminating,
            Paths = pathHashPrefixes is null ? paths ?? ["*"] : null,
            PathHashPrefixes = pathHashPrefixes,
        });
        _targetsRoles[delegator] = parent with { Delegations = new Delegations { Keys = keys, Roles = roles } };
        _dirty.Add(delegator);
        if (!_targetsRoles.ContainsKey(role))
        {
            _targetsRoles[role] = NewTargetsRole();
            _dirty.Add(role);
        }
    }

    /// <summary>Replaces the keys of a top-level role in <see cref="Root"/> (not published).</summary>
    public void SetRoleKeys(string role, IReadOnlyList<ISigner> signers, int threshold = 1)
    {
        Signers[role] = [.. signers];
        var keys = new Dictionary<string, TufKey>(Root.Keys, StringComparer.Ordinal);
        foreach (var signer in signers)
        {
            keys[signer.KeyId] = signer.PublicKey;
        }

        var roles = new Dictionary<string, RoleKeys>(Root.Roles, StringComparer.Ordinal)
        {
            [role] = new RoleKeys { KeyIds = [.. signers.Select(s => s.KeyId).Distinct(StringComparer.Ordinal)], Threshold = threshold },
        };
        var used = roles.Values.SelectMany(r => r.KeyIds).ToHashSet(StringComparer.Ordinal);
        Root = Root with
        {
            Keys = keys.Where(k => used.Contains(k.Key)).ToDictionary(k => k.Key, k => k.Value, StringComparer.Ordinal),
            Roles = roles,
        };
    }

    /// <summary>
    /// Gives <paramref name="role"/> fresh keys and publishes the next root, signed by the
    /// previous root keys and (for a root rotation) the new ones. Returns the new signers.
    /// </summary>
    public List<ISigner> RotateKeys(string role, int count = 1, int threshold = 1)
    {
        var oldRootSigners = Signers[TufRoles.Root].ToList();
        var fresh = Enumerable.Range(0, count).Select(i => (ISigner)NewSigner($"{role}-v{Root.Version + 1}-{i}")).ToList();
        SetRoleKeys(role, fresh, threshold);
        Root = Root with { Version = Root.Version + 1 };
        PublishRoot(role == TufRoles.Root ? oldRootSigners.Concat(fresh) : Signers[TufRoles.Root]);
        return fresh;
    }

    /// <summary>Adds a field inside <c>signed</c> without re-signing, so the signatures no longer match.</summary>
    public void TamperSigned(string fileName)
    {
        var node = JsonNode.Parse(MetadataFiles[fileName])!;
        node["signed"]!.AsObject()["x-tampered"] = true;
        MetadataFiles[fileName] = Encoding.UTF8.GetBytes(node.ToJsonString());
    }

    /// <summary>Changes bytes without changing the JSON's meaning or length (a space of indentation becomes a tab).</summary>
    public void TamperWhitespace(string fileName)
    {
        var bytes = (byte[])MetadataFiles[fileName].Clone();
        var index = Array.IndexOf(bytes, (byte)' ');
        bytes[index] = (byte)'\t';
        MetadataFiles[fileName] = bytes;
    }

    /// <summary>Appends to a file's signatures a copy of its first one, or a fresh signature by the same key.</summary>
    public void DuplicateSignature(string fileName, ISigner? resignWith = null)
    {
        var node = JsonNode.Parse(MetadataFiles[fileName])!;
        var signatures = node["signatures"]!.AsArray();
        if (resignWith is null)
        {
            signatures.Add(signatures[0]!.DeepClone());
        }
        else
        {
            var canonical = Otter.Trust.Json.CanonicalJson.Serialize(System.Text.Json.JsonDocument.Parse(node["signed"]!.ToJsonString()).RootElement);
            signatures.Add(new JsonObject { ["keyid"] = resignWith.KeyId, ["sig"] = Convert.ToHexStringLower(resignWith.Sign(canonical)) });
        }

        MetadataFiles[fileName] = Encoding.UTF8.GetBytes(node.ToJsonString());
    }

    public EndlessStream ServeEndless(string name)
    {
        var stream = new EndlessStream();
        StreamOverrides[name] = () => stream;
        return stream;
    }

    public Task<Stream> OpenMetadataAsync(string fileName, CancellationToken cancellationToken)
    {
        FetchLog.Add("meta:" + fileName);
        return Open(MetadataFiles, fileName);
    }

    public Task<Stream> OpenTargetAsync(string path, CancellationToken cancellationToken)
    {
        FetchLog.Add("target:" + path);
        return Open(TargetFiles, path);
    }

    public void Dispose()
    {
        foreach (var signer in _owned)
        {
            signer.Dispose();
        }
    }

    private static MetaFile MetaFor(long version, byte[] bytes, bool withHashes) => withHashes
        ? new MetaFile
        {
            Version = version,
            Length = bytes.Length,
            Hashes = new Dictionary<string, string> { ["sha256"] = Convert.ToHexStringLower(SHA256.HashData(bytes)) },
        }
        : new MetaFile { Version = version };

    private static TargetsMetadata NewTargetsRole() => new()
    {
        Type = TufRoles.Targets,
        SpecVersion = TufRoles.SpecVersion,
        Version = 1,
        Expires = Start.AddDays(90),
        Targets = new Dictionary<string, TargetFile>(),
    };

    private Task<Stream> Open(Dictionary<string, byte[]> files, string name)
    {
        if (StreamOverrides.TryGetValue(name, out var factory))
        {
            return Task.FromResult(factory());
        }

        if (!files.TryGetValue(name, out var bytes))
        {
            throw new RepositoryNotFoundException($"the simulated repository has no {name}.");
        }

        return Task.FromResult<Stream>(new MemoryStream(bytes, writable: false));
    }
}
