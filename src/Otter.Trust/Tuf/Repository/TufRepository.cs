using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Otter.Trust.Keys;

namespace Otter.Trust.Tuf.Repository;

/// <summary>
/// Creates and changes an Otter TUF repository directory. Every change is checked in full
/// before anything is written, and written as one transaction: a refused or failed change
/// leaves the directory exactly as it was.
/// </summary>
public sealed class TufRepository(TimeProvider timeProvider)
{
    private const int Order_Target = 0;
    private const int Order_VersionedMetadata = 1;
    private const int Order_RootLink = 2;
    private const int Order_Timestamp = 3;
    private const int Order_Config = 4;

    /// <summary>Creates a repository in a new or empty directory.</summary>
    /// <exception cref="RepositoryEditException">The input is refused; nothing was written.</exception>
    /// <exception cref="KeyException">A key cannot be opened or used.</exception>
    public RepositoryChange Init(string directory, RepositoryInitOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var rootKeys = DistinctKeys(options.RootKeys, "--root-key");
        if (rootKeys.Count == 0)
        {
            throw new RepositoryEditException("give at least one --root-key.");
        }

        if (options.RootThreshold < 1 || options.RootThreshold > rootKeys.Count)
        {
            throw new RepositoryEditException($"--root-threshold {options.RootThreshold} must be between 1 and the number of distinct root keys ({rootKeys.Count}).");
        }

        if (options.OnlineKeyLifetimeDays < 1)
        {
            throw new RepositoryEditException("the online key lifetime must be at least one day.");
        }

        foreach (var (role, key) in OnlineKeys(options))
        {
            if (rootKeys.Any(r => r.KeyId == key.KeyId))
            {
                throw new RepositoryEditException($"the {role} key {Short(key.KeyId)} is also a root key; root keys stay offline and sign only root metadata. Use a separate key.");
            }
        }

        var now = Now();
        var config = new RepositoryConfig { OnlineKeyLifetimeDays = options.OnlineKeyLifetimeDays };
        var keys = new Dictionary<string, TufKey>(StringComparer.Ordinal);
        foreach (var key in rootKeys.Concat([options.TargetsKey, options.SnapshotKey, options.TimestampKey]))
        {
            keys[key.KeyId] = key.PublicKey;
        }

        var root = new RootMetadata
        {
            Type = TufRoles.Root,
            SpecVersion = TufRoles.SpecVersion,
            Version = 1,
            Expires = now + config.ExpiryOf(TufRoles.Root),
            ConsistentSnapshot = true,
            Keys = keys,
            Roles = new Dictionary<string, RoleKeys>(StringComparer.Ordinal)
            {
                [TufRoles.Root] = new() { KeyIds = rootKeys.Select(k => k.KeyId).ToList(), Threshold = options.RootThreshold },
                [TufRoles.Targets] = new() { KeyIds = [options.TargetsKey.KeyId], Threshold = 1 },
                [TufRoles.Snapshot] = new() { KeyIds = [options.SnapshotKey.KeyId], Threshold = 1 },
                [TufRoles.Timestamp] = new() { KeyIds = [options.TimestampKey.KeyId], Threshold = 1 },
            },
        };
        var rootBytes = SignRoot(root, previous: null, rootKeys);
        var targets = new TargetsMetadata
        {
            Type = TufRoles.Targets,
            SpecVersion = TufRoles.SpecVersion,
            Version = 1,
            Expires = now + config.ExpiryOf(TufRoles.Targets),
            Targets = new Dictionary<string, TargetFile>(StringComparer.Ordinal),
        };

        using var repository = RepositoryDirectory.CreateNew(directory);
        using var transaction = new RepositoryTransaction();
        var written = new List<string>();
        Stage(repository, transaction, written, "1.root.json", rootBytes, Order_VersionedMetadata);
        Stage(repository, transaction, written, "root.json", rootBytes, Order_RootLink);
        var signedTargets = SignOnline(targets, TufRoles.Targets, options.TargetsKey, root, ref config);
        Stage(repository, transaction, written, "1.targets.json", signedTargets.Bytes, Order_VersionedMetadata);
        var snapshot = NewSnapshot(null, 1, 1, now, config);
        var signedSnapshot = SignOnline(snapshot, TufRoles.Snapshot, options.SnapshotKey, root, ref config);
        Stage(repository, transaction, written, "1.snapshot.json", signedSnapshot.Bytes, Order_VersionedMetadata);
        var timestamp = NewTimestamp(null, signedSnapshot.Bytes, 1, now, config);
        var signedTimestamp = SignOnline(timestamp, TufRoles.Timestamp, options.TimestampKey, root, ref config);
        Stage(repository, transaction, written, "timestamp.json", signedTimestamp.Bytes, Order_Timestamp);
        transaction.StageBytes(repository.ConfigPath, RepositoryDirectory.SerializeConfig(config), Order_Config);
        written.Add(RepositoryDirectory.ConfigFileName);
        transaction.Commit();
        Directory.CreateDirectory(repository.TargetsDirectory);
        repository.Committed = true;
        return Change(directory, written, (root, true), (targets, true), (snapshot, true), (timestamp, true));
    }

    /// <summary>
    /// Adds (or replaces) a target: copies the file to <c>targets/&lt;sha256&gt;.&lt;name&gt;</c>
    /// and publishes new targets, snapshot and timestamp metadata.
    /// </summary>
    /// <param name="directory">The repository directory.</param>
    /// <param name="file">The file to publish.</param>
    /// <param name="name">The target name (default: the file name).</param>
    /// <param name="custom">Custom data for the target.</param>
    /// <param name="targetsKey">The targets key.</param>
    /// <param name="snapshotKey">The snapshot key.</param>
    /// <param name="timestampKey">The timestamp key.</param>
    /// <param name="beforeSigning">
    /// Called once every check passed and the file is copied and hashed, just before signing;
    /// returns the custom data to sign. An exception from it abandons the change.
    /// </param>
    public AddedTarget AddTarget(
        string directory,
        string file,
        string? name,
        JsonObject? custom,
        KeyHandle targetsKey,
        KeyHandle snapshotKey,
        KeyHandle timestampKey,
        Func<TargetDraft, JsonObject?>? beforeSigning = null)
    {
        ArgumentNullException.ThrowIfNull(file);
        name ??= Path.GetFileName(file);
        if (TargetNames.Check(name) is { } problem)
        {
            throw new RepositoryEditException($"target name \"{name}\" {problem}; choose another --name.");
        }

        if (!File.Exists(file))
        {
            throw new RepositoryEditException($"{file} does not exist or is not a file; give the path of the file to publish.");
        }

        using var repository = RepositoryDirectory.OpenExisting(directory);
        var state = repository.Load();
        var now = Now();
        var config = state.Config;
        CheckRoleKey(state.Root.Signed, TufRoles.Targets, targetsKey, "--targets-key");
        CheckRoleKey(state.Root.Signed, TufRoles.Snapshot, snapshotKey, "--snapshot-key");
        CheckRoleKey(state.Root.Signed, TufRoles.Timestamp, timestampKey, "--timestamp-key");

        // Every refusal comes before the hook runs, so nothing is logged for a change that is refused.
        CheckNotExpired(TufRoles.Targets, targetsKey, config);
        CheckNotExpired(TufRoles.Snapshot, snapshotKey, config);
        CheckNotExpired(TufRoles.Timestamp, timestampKey, config);
        using var transaction = new RepositoryTransaction();
        var written = new List<string>();
        var (length, sha256, storedPath) = CopyTarget(repository, transaction, file, name, written);
        if (beforeSigning is not null)
        {
            custom = beforeSigning(new TargetDraft(name, length, sha256, custom));
        }

        var targetFiles = new Dictionary<string, TargetFile>(state.Targets.Signed.Targets, StringComparer.Ordinal)
        {
            [name] = new TargetFile
            {
                Length = length,
                Hashes = new Dictionary<string, string>(StringComparer.Ordinal) { ["sha256"] = sha256 },
                Custom = custom is { Count: > 0 } ? custom : null,
            },
        };
        var targets = state.Targets.Signed with
        {
            Version = state.Targets.Signed.Version + 1,
            Expires = now + config.ExpiryOf(TufRoles.Targets),
            Targets = targetFiles,
        };
        var root = state.Root.Signed;
        var signedTargets = SignOnline(targets, TufRoles.Targets, targetsKey, root, ref config);
        Stage(repository, transaction, written, Versioned(targets.Version, TufRoles.Targets), signedTargets.Bytes, Order_VersionedMetadata);
        var (snapshot, timestamp) = StageSnapshotAndTimestamp(repository, transaction, written, state, targets.Version, root, snapshotKey, timestampKey, now, ref config);
        Commit(repository, transaction, config);
        var change = Change(directory, written, (root, false), (targets, true), (snapshot, true), (timestamp, true));
        return new AddedTarget(name, length, sha256, storedPath, change);
    }

    /// <summary>
    /// Replaces the keys of <paramref name="role"/> with <paramref name="newKeys"/> in a new root
    /// (signed by a threshold of the old and of the new root keys) and re-signs the rotated role
    /// and every role that depends on it.
    /// </summary>
    public RepositoryChange Rotate(
        string directory,
        string role,
        IReadOnlyList<KeyHandle> newKeys,
        IReadOnlyList<KeyHandle> rootKeys,
        int? newRootThreshold,
        KeyHandle? targetsKey,
        KeyHandle? snapshotKey,
        KeyHandle? timestampKey)
    {
        ArgumentNullException.ThrowIfNull(role);
        if (!TufRoles.IsTopLevel(role))
        {
            throw new RepositoryEditException($"--role {role} is not a top-level role; use root, targets, snapshot or timestamp.");
        }

        var fresh = DistinctKeys(newKeys, "--new-key");
        if (fresh.Count == 0)
        {
            throw new RepositoryEditException("give the new key with --new-key.");
        }

        if (role != TufRoles.Root && fresh.Count != 1)
        {
            throw new RepositoryEditException($"the {role} role takes exactly one --new-key.");
        }

        if (role != TufRoles.Root && newRootThreshold is not null)
        {
            throw new RepositoryEditException("--root-threshold applies only to --role root.");
        }

        // Keys each rotation re-signs with, checked before anything is opened or written.
        var needed = role switch
        {
            TufRoles.Targets => new[] { ("--snapshot-key", snapshotKey), ("--timestamp-key", timestampKey) },
            TufRoles.Snapshot => [("--timestamp-key", timestampKey)],
            _ => [],
        };
        foreach (var (flag, key) in needed)
        {
            if (key is null)
            {
                throw new RepositoryEditException($"rotating {role} re-signs the metadata that depends on it; pass {flag}.");
            }
        }

        using var repository = RepositoryDirectory.OpenExisting(directory);
        var state = repository.Load();
        var now = Now();
        var config = state.Config;
        var oldRoot = state.Root.Signed;
        var oldRoleKeys = oldRoot.Roles[role];
        if (fresh.Select(k => k.KeyId).Order(StringComparer.Ordinal).SequenceEqual(oldRoleKeys.KeyIds.Order(StringComparer.Ordinal)))
        {
            throw new RepositoryEditException($"--new-key is already the {role} key; give a new key.");
        }

        var rootKeyIds = role == TufRoles.Root ? fresh.Select(k => k.KeyId).ToHashSet() : oldRoot.Roles[TufRoles.Root].KeyIds.ToHashSet();
        if (role != TufRoles.Root && fresh.Any(k => rootKeyIds.Contains(k.KeyId)))
        {
            throw new RepositoryEditException($"the new {role} key is a root key; root keys stay offline. Use a separate key.");
        }

        var threshold = role == TufRoles.Root ? newRootThreshold ?? Math.Min(oldRoleKeys.Threshold, fresh.Count) : 1;
        if (threshold < 1 || threshold > fresh.Count)
        {
            throw new RepositoryEditException($"--root-threshold {threshold} must be between 1 and the number of new root keys ({fresh.Count}).");
        }

        var roles = new Dictionary<string, RoleKeys>(oldRoot.Roles, StringComparer.Ordinal)
        {
            [role] = new() { KeyIds = fresh.Select(k => k.KeyId).ToList(), Threshold = threshold },
        };
        var used = roles.Values.SelectMany(r => r.KeyIds).ToHashSet(StringComparer.Ordinal);
        var keys = oldRoot.Keys.Where(kv => used.Contains(kv.Key)).ToDictionary(StringComparer.Ordinal);
        foreach (var key in fresh)
        {
            keys[key.KeyId] = key.PublicKey;
        }

        var newRoot = oldRoot with
        {
            Version = oldRoot.Version + 1,
            Expires = now + config.ExpiryOf(TufRoles.Root),
            Keys = keys,
            Roles = roles,
        };
        // A new root key given both as --new-key and --root-key signs once.
        var signers = DistinctKeys(rootKeys, "--root-key");
        if (role == TufRoles.Root)
        {
            signers.AddRange(fresh.Where(k => signers.All(s => s.KeyId != k.KeyId)));
        }

        var rootBytes = SignRoot(newRoot, oldRoot, signers);
        config = config with
        {
            OnlineKeys = config.OnlineKeys
                .Select(r => r.Role == role && r.Retired is null && !fresh.Any(k => k.KeyId == r.KeyId) ? r with { Retired = now } : r)
                .ToList(),
        };

        using var transaction = new RepositoryTransaction();
        var written = new List<string>();
        Stage(repository, transaction, written, Versioned(newRoot.Version, TufRoles.Root), rootBytes, Order_VersionedMetadata);
        Stage(repository, transaction, written, "root.json", rootBytes, Order_RootLink);

        var targets = state.Targets.Signed;
        var snapshot = state.Snapshot.Signed;
        var timestamp = state.Timestamp.Signed;
        bool targetsChanged = false, snapshotChanged = false, timestampChanged = false;
        if (role == TufRoles.Targets)
        {
            targets = targets with { Version = targets.Version + 1, Expires = now + config.ExpiryOf(TufRoles.Targets) };
            var signed = SignOnline(targets, TufRoles.Targets, fresh[0], newRoot, ref config);
            Stage(repository, transaction, written, Versioned(targets.Version, TufRoles.Targets), signed.Bytes, Order_VersionedMetadata);
            targetsChanged = true;
        }

        if (role is TufRoles.Targets or TufRoles.Snapshot)
        {
            (snapshot, timestamp) = StageSnapshotAndTimestamp(
                repository, transaction, written, state, targets.Version, newRoot, role == TufRoles.Snapshot ? fresh[0] : snapshotKey!, timestampKey!, now, ref config);
            snapshotChanged = timestampChanged = true;
        }
        else if (role == TufRoles.Timestamp)
        {
            var snapshotBytes = File.ReadAllBytes(repository.MetadataPath(Versioned(snapshot.Version, TufRoles.Snapshot)));
            timestamp = NewTimestamp(timestamp, snapshotBytes, snapshot.Version, now, config);
            var signed = SignOnline(timestamp, TufRoles.Timestamp, fresh[0], newRoot, ref config);
            Stage(repository, transaction, written, "timestamp.json", signed.Bytes, Order_Timestamp);
            timestampChanged = true;
        }

        Commit(repository, transaction, config);
        return Change(directory, written, (newRoot, true), (targets, targetsChanged), (snapshot, snapshotChanged), (timestamp, timestampChanged));
    }

    /// <summary>Publishes new snapshot and timestamp metadata with fresh expiry dates.</summary>
    public RepositoryChange Refresh(string directory, KeyHandle snapshotKey, KeyHandle timestampKey)
    {
        using var repository = RepositoryDirectory.OpenExisting(directory);
        var state = repository.Load();
        var now = Now();
        var config = state.Config;
        var root = state.Root.Signed;
        CheckRoleKey(root, TufRoles.Snapshot, snapshotKey, "--snapshot-key");
        CheckRoleKey(root, TufRoles.Timestamp, timestampKey, "--timestamp-key");
        using var transaction = new RepositoryTransaction();
        var written = new List<string>();
        var (snapshot, timestamp) = StageSnapshotAndTimestamp(repository, transaction, written, state, state.Targets.Signed.Version, root, snapshotKey, timestampKey, now, ref config);
        Commit(repository, transaction, config);
        return Change(directory, written, (root, false), (state.Targets.Signed, false), (snapshot, true), (timestamp, true));
    }

    /// <summary>The targets the current top-level targets metadata lists (after checking the repository's signatures), with the path each is stored at.</summary>
    public static IReadOnlyList<(string Name, TargetFile File, string StoredPath)> ListTargets(string directory)
    {
        using var repository = RepositoryDirectory.OpenExisting(directory);
        var state = repository.Load();
        return state.Targets.Signed.Targets
            .Select(t => (t.Key, t.Value, repository.TargetPath(TargetNames.HashPrefixedPath(t.Key, t.Value.Hashes["sha256"]))))
            .ToList();
    }

    /// <summary>Keys, key lifetimes and metadata expiry of every top-level role.</summary>
    public RepositoryStatus Status(string directory)
    {
        using var repository = RepositoryDirectory.OpenExisting(directory);
        var state = repository.Load();
        var now = Now();
        var root = state.Root.Signed;
        var roles = new List<RoleStatus>();
        foreach (var role in TufRoles.TopLevel)
        {
            var keys = root.Roles[role];
            SignedMetadata metadata = role switch
            {
                TufRoles.Root => root,
                TufRoles.Targets => state.Targets.Signed,
                TufRoles.Snapshot => state.Snapshot.Signed,
                _ => state.Timestamp.Signed,
            };
            var record = role == TufRoles.Root
                ? null
                : state.Config.OnlineKeys.Where(r => r.Role == role && r.Retired is null && keys.KeyIds.Contains(r.KeyId)).MinBy(r => r.NotAfter);
            roles.Add(new RoleStatus(
                role,
                keys.KeyIds,
                keys.Threshold,
                metadata.Version,
                metadata.Expires,
                DaysBetween(now, metadata.Expires),
                record?.FirstUsed,
                record?.NotAfter,
                record is null ? null : DaysBetween(now, record.NotAfter)));
        }

        return new RepositoryStatus(directory, state.Config.OnlineKeyLifetimeDays, state.Targets.Signed.Targets.Count, roles);
    }

    private static double DaysBetween(DateTimeOffset now, DateTimeOffset then) => Math.Round((then - now).TotalDays, 1);

    private DateTimeOffset Now()
    {
        var now = timeProvider.GetUtcNow();
        return new DateTimeOffset(now.Ticks - (now.Ticks % TimeSpan.TicksPerSecond), TimeSpan.Zero);
    }

    private static string Versioned(long version, string role) =>
        string.Create(CultureInfo.InvariantCulture, $"{version}.{role}.json");

    private static string Short(string keyId) => keyId[..Math.Min(12, keyId.Length)];

    private static List<KeyHandle> DistinctKeys(IReadOnlyList<KeyHandle> keys, string flag)
    {
        var result = new List<KeyHandle>();
        foreach (var key in keys)
        {
            if (result.Any(k => k.KeyId == key.KeyId))
            {
                throw new RepositoryEditException($"{flag} {key.Source} names the same key ({Short(key.KeyId)}) as an earlier {flag}; each key counts once.");
            }

            result.Add(key);
        }

        return result;
    }

    private static IEnumerable<(string Role, KeyHandle Key)> OnlineKeys(RepositoryInitOptions options) =>
    [
        (TufRoles.Targets, options.TargetsKey),
        (TufRoles.Snapshot, options.SnapshotKey),
        (TufRoles.Timestamp, options.TimestampKey),
    ];

    private static void CheckRoleKey(RootMetadata root, string role, KeyHandle key, string flag)
    {
        if (!root.Roles[role].KeyIds.Contains(key.KeyId))
        {
            var expected = string.Join(", ", root.Roles[role].KeyIds.Select(Short));
            throw new RepositoryEditException($"{flag} {key.Source} (key {Short(key.KeyId)}) is not the repository's {role} key ({expected}); pass the current {role} key, or rotate with `otter repo rotate --role {role}`.");
        }
    }

    private static byte[] SignRoot(RootMetadata root, RootMetadata? previous, IReadOnlyList<KeyHandle> candidates)
    {
        // Sign with every given key that either root trusts and that can sign; then demand both thresholds.
        var trusted = root.Roles[TufRoles.Root].KeyIds.Concat(previous?.Roles[TufRoles.Root].KeyIds ?? []).ToHashSet(StringComparer.Ordinal);
        var signers = candidates.Where(k => trusted.Contains(k.KeyId) && k.CanSign).Select(k => k.GetSigner()).ToList();
        var (bytes, metadata) = TufMetadata.Sign(root, signers);
        CheckRootThreshold(metadata, root, $"root version {root.Version}", "new");
        if (previous is not null)
        {
            CheckRootThreshold(metadata, previous, $"root version {root.Version}", "current");
        }

        return bytes;
    }

    private static void CheckRootThreshold(Metadata<RootMetadata> metadata, RootMetadata trustedRoot, string what, string which)
    {
        var role = trustedRoot.Roles[TufRoles.Root];
        var count = ThresholdVerifier.CountValidSignatures(metadata.CanonicalSigned.Span, metadata.Signatures, role.KeyIds, trustedRoot.Keys);
        if (count < role.Threshold)
        {
            throw new RepositoryEditException($"{what} needs {role.Threshold} signature(s) from the {which} root keys but only {count} of the --root-key keys given can sign as {which} root keys; pass more root keys (with their private keys).");
        }
    }

    private (byte[] Bytes, Metadata<T> Metadata) SignOnline<T>(T metadata, string role, KeyHandle key, RootMetadata root, ref RepositoryConfig config)
        where T : SignedMetadata
    {
        if (!root.Roles[role].KeyIds.Contains(key.KeyId))
        {
            throw new RepositoryEditException($"key {key.Source} ({Short(key.KeyId)}) is not the {role} key of the repository's root.");
        }

        var now = Now();
        CheckNotExpired(role, key, config);
        if (!config.OnlineKeys.Any(r => r.KeyId == key.KeyId && r.Role == role && r.Retired is null))
        {
            var record = new OnlineKeyRecord { KeyId = key.KeyId, Role = role, FirstUsed = now, NotAfter = now.AddDays(config.OnlineKeyLifetimeDays) };
            config = config with { OnlineKeys = [.. config.OnlineKeys, record] };
        }

        return TufMetadata.Sign(metadata, [key.GetSigner()]);
    }

    private void CheckNotExpired(string role, KeyHandle key, RepositoryConfig config)
    {
        var record = config.OnlineKeys.FirstOrDefault(r => r.KeyId == key.KeyId && r.Role == role && r.Retired is null);
        if (record is not null && Now() > record.NotAfter)
        {
            throw new RepositoryEditException(
                $"the {role} key {key.Source} ({Short(key.KeyId)}) expired on {record.NotAfter:yyyy-MM-dd} after its {config.OnlineKeyLifetimeDays}-day lifetime; rotate it: `otter repo rotate DIR --role {role} --new-key NEWKEY --root-key ROOTKEY ...`.");
        }
    }

    private static SnapshotMetadata NewSnapshot(SnapshotMetadata? previous, long version, long targetsVersion, DateTimeOffset now, RepositoryConfig config)
    {
        var meta = previous is null
            ? new Dictionary<string, MetaFile>(StringComparer.Ordinal)
            : new Dictionary<string, MetaFile>(previous.Meta, StringComparer.Ordinal);
        meta["targets.json"] = new MetaFile { Version = targetsVersion };
        return new SnapshotMetadata
        {
            Type = TufRoles.Snapshot,
            SpecVersion = TufRoles.SpecVersion,
            Version = version,
            Expires = now + config.ExpiryOf(TufRoles.Snapshot),
            Meta = meta,
            UnrecognizedFields = previous?.UnrecognizedFields,
        };
    }

    private static TimestampMetadata NewTimestamp(TimestampMetadata? previous, byte[] snapshotBytes, long snapshotVersion, DateTimeOffset now, RepositoryConfig config) => new()
    {
        Type = TufRoles.Timestamp,
        SpecVersion = TufRoles.SpecVersion,
        Version = (previous?.Version ?? 0) + 1,
        Expires = now + config.ExpiryOf(TufRoles.Timestamp),
        Meta = new Dictionary<string, MetaFile>(StringComparer.Ordinal)
        {
            ["snapshot.json"] = new()
            {
                Version = snapshotVersion,
                Length = snapshotBytes.Length,
                Hashes = new Dictionary<string, string>(StringComparer.Ordinal) { ["sha256"] = Convert.ToHexStringLower(SHA256.HashData(snapshotBytes)) },
            },
        },
        UnrecognizedFields = previous?.UnrecognizedFields,
    };

    // Every change that moves targets or snapshot ends the same way: a new snapshot naming the
    // targets version, and a new timestamp naming that snapshot.
    private (SnapshotMetadata Snapshot, TimestampMetadata Timestamp) StageSnapshotAndTimestamp(
        RepositoryDirectory repository,
        RepositoryTransaction transaction,
        List<string> written,
        RepositoryState state,
        long targetsVersion,
        RootMetadata root,
        KeyHandle snapshotKey,
        KeyHandle timestampKey,
        DateTimeOffset now,
        ref RepositoryConfig config)
    {
        var snapshot = NewSnapshot(state.Snapshot.Signed, state.Snapshot.Signed.Version + 1, targetsVersion, now, config);
        var signedSnapshot = SignOnline(snapshot, TufRoles.Snapshot, snapshotKey, root, ref config);
        Stage(repository, transaction, written, Versioned(snapshot.Version, TufRoles.Snapshot), signedSnapshot.Bytes, Order_VersionedMetadata);
        var timestamp = NewTimestamp(state.Timestamp.Signed, signedSnapshot.Bytes, snapshot.Version, now, config);
        var signedTimestamp = SignOnline(timestamp, TufRoles.Timestamp, timestampKey, root, ref config);
        Stage(repository, transaction, written, "timestamp.json", signedTimestamp.Bytes, Order_Timestamp);
        return (snapshot, timestamp);
    }

    private static void Commit(RepositoryDirectory repository, RepositoryTransaction transaction, RepositoryConfig config)
    {
        transaction.StageBytes(repository.ConfigPath, RepositoryDirectory.SerializeConfig(config), Order_Config);
        transaction.Commit();
        repository.Committed = true;
    }

    private static void Stage(RepositoryDirectory repository, RepositoryTransaction transaction, List<string> written, string fileName, byte[] bytes, int order)
    {
        transaction.StageBytes(repository.MetadataPath(fileName), bytes, order);
        written.Add("metadata/" + fileName);
    }

    private static (long Length, string Sha256, string StoredPath) CopyTarget(RepositoryDirectory repository, RepositoryTransaction transaction, string file, string name, List<string> written)
    {
        // Hash while copying, so the stored bytes are exactly the hashed bytes even if the
        // source file changes under us.
        var temp = transaction.NewTempPath(repository.TargetPath(name));
        long length;
        string sha256;
        using (var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256))
        {
            using (var source = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan))
            using (var destination = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16))
            {
                var buffer = new byte[1 << 16];
                int read;
                while ((read = source.Read(buffer)) > 0)
                {
                    hash.AppendData(buffer, 0, read);
                    destination.Write(buffer, 0, read);
                }

                destination.Flush(flushToDisk: true);
                length = destination.Length;
            }

            sha256 = Convert.ToHexStringLower(hash.GetHashAndReset());
        }

        var relative = TargetNames.HashPrefixedPath(name, sha256);
        var destinationPath = repository.TargetPath(relative);
        if (File.Exists(destinationPath))
        {
            File.Delete(temp);
        }
        else
        {
            transaction.StageFile(temp, destinationPath, Order_Target);
            written.Add("targets/" + relative);
        }

        return (length, sha256, "targets/" + relative);
    }

    private static RepositoryChange Change(string directory, List<string> written, params (SignedMetadata Metadata, bool Changed)[] roles) =>
        new(directory, roles.Select(r => new RoleVersion(r.Metadata.Type, r.Metadata.Version, r.Metadata.Expires, r.Changed)).ToList(), written);
}
