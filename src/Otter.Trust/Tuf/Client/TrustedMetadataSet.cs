using System.Collections.Immutable;
using System.Globalization;
using Otter.Trust.Keys;

namespace Otter.Trust.Tuf.Client;

/// <summary>
/// The metadata a client trusts, after python-tuf's <c>TrustedMetadataSet</c> but immutable:
/// every <c>With…</c> method validates a candidate against what is trusted and returns a new
/// set (or this one when nothing changes). A candidate that fails any check throws and this
/// set stays exactly as it was. Persisting accepted bytes is the caller's job, done only
/// after validation succeeded and before the new set is swapped in.
/// </summary>
internal sealed class TrustedMetadataSet
{
    private const string TargetsFileName = "targets.json";

    private TrustedMetadataSet(
        TrustedFile<RootMetadata> root,
        TrustedFile<TimestampMetadata>? timestamp,
        TrustedFile<SnapshotMetadata>? snapshot,
        TrustedFile<TargetsMetadata>? targets,
        ImmutableDictionary<string, TrustedDelegatedRole> delegatedRoles)
    {
        Root = root;
        Timestamp = timestamp;
        Snapshot = snapshot;
        Targets = targets;
        DelegatedRoles = delegatedRoles;
    }

    /// <summary>The trusted root.</summary>
    public TrustedFile<RootMetadata> Root { get; }

    /// <summary>The trusted timestamp, if any (it may be expired when only kept for rollback checks).</summary>
    public TrustedFile<TimestampMetadata>? Timestamp { get; }

    /// <summary>The trusted snapshot, if any (it may be out of date when only kept for rollback checks).</summary>
    public TrustedFile<SnapshotMetadata>? Snapshot { get; }

    /// <summary>The trusted top-level targets, if any.</summary>
    public TrustedFile<TargetsMetadata>? Targets { get; }

    /// <summary>Delegated roles verified under the trusted snapshot, by role name.</summary>
    public ImmutableDictionary<string, TrustedDelegatedRole> DelegatedRoles { get; }

    /// <summary>Starts from the provisioned root, which must carry a threshold of its own root keys.</summary>
    public static TrustedMetadataSet FromTrustedRoot(byte[] bytes)
    {
        const string fileName = "root.json in the trusted metadata store";
        var root = TufMetadata.Parse<RootMetadata>(bytes, fileName);
        try
        {
            VerifyTopLevel(root, fileName, TufRoles.Root, root.Signed, "its own root");
        }
        catch (UnsignedMetadataException ex)
        {
            throw new UnsignedMetadataException(
                $"{ex.Message} Re-provision the store with the repository's root metadata obtained out of band.", ex);
        }

        return new(new(root, bytes), null, null, null, ImmutableDictionary<string, TrustedDelegatedRole>.Empty.WithComparers(StringComparer.Ordinal));
    }

    /// <summary>Formats a TUF time for messages.</summary>
    public static string FormatTime(DateTimeOffset time) =>
        time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    /// <summary>Whether <paramref name="signed"/> has expired at <paramref name="now"/>.</summary>
    public static bool IsExpired(SignedMetadata signed, DateTimeOffset now) => now >= signed.Expires;

    /// <summary>
    /// Accepts the next root version: it must be signed by a threshold of the trusted root's
    /// root keys and of its own, and its version must be exactly one more.
    /// </summary>
    /// <param name="bytes">The candidate's bytes.</param>
    /// <param name="fileName">Its file name, for messages.</param>
    /// <param name="onlineKeysRotated">
    /// Set when the timestamp or snapshot keys changed: the trusted timestamp and snapshot are
    /// dropped and the caller must delete them from its store (fast-forward attack recovery).
    /// </param>
    public TrustedMetadataSet WithRoot(byte[] bytes, string fileName, out bool onlineKeysRotated)
    {
        var current = Root.Signed;
        var candidate = TufMetadata.Parse<RootMetadata>(bytes, fileName);
        VerifyTopLevel(candidate, fileName, TufRoles.Root, current, $"the trusted root (version {current.Version})'s root");
        VerifyTopLevel(candidate, fileName, TufRoles.Root, candidate.Signed, "its own root");
        var next = candidate.Signed;
        if (next.Version != current.Version + 1)
        {
            throw new RollbackException(
                $"{fileName} has version {next.Version} where version {current.Version + 1} was expected; each root must be exactly one version after the one it replaces, so it was not trusted.");
        }

        onlineKeysRotated = KeysChanged(current, next, TufRoles.Timestamp) || KeysChanged(current, next, TufRoles.Snapshot);
        var timestamp = onlineKeysRotated ? null : KeepIfVerified(Timestamp, TufRoles.Timestamp, next);
        var snapshot = onlineKeysRotated ? null : KeepIfVerified(Snapshot, TufRoles.Snapshot, next);
        var targets = KeepIfVerified(Targets, TufRoles.Targets, next);
        return new(new(candidate, bytes), timestamp, snapshot, targets, DelegatedRoles.Clear());
    }

    /// <summary>Throws when the trusted root has expired (after the rotation chain: a freeze).</summary>
    public void EnsureRootNotExpired(DateTimeOffset now)
    {
        var root = Root.Signed;
        if (IsExpired(root, now))
        {
            throw new ExpiredMetadataException(
                $"the trusted root (version {root.Version}) expired at {FormatTime(root.Expires)} and the repository offers no newer root version; this may be a freeze attack, so nothing more was trusted. The repository owner must publish a new root version signed with the root keys.");
        }
    }

    /// <summary>Whether any top-level metadata has expired at <paramref name="now"/>.</summary>
    public bool AnyTopLevelExpired(DateTimeOffset now) =>
        IsExpired(Root.Signed, now)
        || (Timestamp is { } t && IsExpired(t.Signed, now))
        || (Snapshot is { } s && IsExpired(s.Signed, now))
        || (Targets is { } g && IsExpired(g.Signed, now));

    /// <summary>
    /// Adopts the timestamp kept in the store as the reference for rollback checks, when it
    /// carries a threshold of the trusted root's timestamp keys; null when it does not.
    /// </summary>
    public TrustedMetadataSet? TryAdoptCachedTimestamp(byte[] bytes)
    {
        try
        {
            const string fileName = "timestamp.json in the trusted metadata store";
            var timestamp = TufMetadata.Parse<TimestampMetadata>(bytes, fileName);
            VerifyTopLevel(timestamp, fileName, TufRoles.Timestamp, Root.Signed, RootRoleDescription(TufRoles.Timestamp));
            return new(Root, new(timestamp, bytes), Snapshot, Targets, DelegatedRoles);
        }
        catch (TufException)
        {
            return null;
        }
    }

    /// <summary>
    /// Accepts a new timestamp: signed by the root's timestamp keys, not older than the trusted
    /// one and not naming an older snapshot, not expired. An equal version keeps the trusted one.
    /// </summary>
    public TrustedMetadataSet WithTimestamp(byte[] bytes, string fileName, DateTimeOffset now)
    {
        var candidate = TufMetadata.Parse<TimestampMetadata>(bytes, fileName);
        VerifyTopLevel(candidate, fileName, TufRoles.Timestamp, Root.Signed, RootRoleDescription(TufRoles.Timestamp));
        var signed = candidate.Signed;
        if (Timestamp is { } trusted)
        {
            var trustedVersion = trusted.Signed.Version;
            if (signed.Version < trustedVersion)
            {
                throw new RollbackException(
                    $"{fileName} has version {signed.Version} but version {trustedVersion} is already trusted; an older timestamp is a rollback, so it was not trusted.");
            }

            if (signed.Version == trustedVersion)
            {
                if (IsExpired(trusted.Signed, now))
                {
                    throw new ExpiredMetadataException(
                        $"{fileName} (version {trustedVersion}) expired at {FormatTime(trusted.Signed.Expires)} and the repository serves no newer one; the repository must be refreshed (`otter repo refresh`) — nothing more was trusted from it.");
                }

                return this;
            }

            var trustedSnapshotVersion = SnapshotMetaOf(trusted.Signed).Version;
            var snapshotVersion = SnapshotMetaOf(signed).Version;
            if (snapshotVersion < trustedSnapshotVersion)
            {
                throw new RollbackException(
                    $"{fileName} (version {signed.Version}) names snapshot version {snapshotVersion} but snapshot version {trustedSnapshotVersion} is already trusted; an older snapshot is a rollback, so it was not trusted.");
            }
        }

        EnsureNotExpired(signed, fileName, now);
        return new(Root, new(candidate, bytes), Snapshot, Targets, DelegatedRoles);
    }

    /// <summary>
    /// Adopts the snapshot kept in the store as the reference for rollback checks, when it
    /// carries a threshold of the root's snapshot keys; null when it does not.
    /// </summary>
    public TrustedMetadataSet? TryAdoptCachedSnapshot(byte[] bytes)
    {
        if (Timestamp is null)
        {
            return null;
        }

        try
        {
            const string fileName = "snapshot.json in the trusted metadata store";
            var snapshot = TufMetadata.Parse<SnapshotMetadata>(bytes, fileName);
            VerifyTopLevel(snapshot, fileName, TufRoles.Snapshot, Root.Signed, RootRoleDescription(TufRoles.Snapshot));
            return new(Root, Timestamp, new(snapshot, bytes), Targets, DelegatedRoles.Clear());
        }
        catch (TufException)
        {
            return null;
        }
    }

    /// <summary>Whether the trusted snapshot is the one the trusted timestamp names, unexpired.</summary>
    public bool IsSnapshotFinal(DateTimeOffset now)
    {
        if (Snapshot is not { } snapshot || Timestamp is not { } timestamp)
        {
            return false;
        }

        var meta = SnapshotMetaOf(timestamp.Signed);
        return snapshot.Signed.Version == meta.Version
            && HashChecker.MatchesMetaFile(snapshot.Bytes, meta)
            && !IsExpired(snapshot.Signed, now);
    }

    /// <summary>
    /// Accepts a new snapshot: length and hashes as the timestamp gives them, signed by the
    /// root's snapshot keys, the version the timestamp names, no targets file dropped or
    /// rolled back compared with the trusted snapshot, not expired.
    /// </summary>
    public TrustedMetadataSet WithSnapshot(byte[] bytes, string fileName, DateTimeOffset now)
    {
        var timestamp = Timestamp ?? throw new InvalidOperationException("A timestamp must be trusted before a snapshot.");
        var meta = SnapshotMetaOf(timestamp.Signed);
        var parent = $"timestamp.json (version {timestamp.Signed.Version})";
        HashChecker.VerifyMetaFile(bytes, meta, fileName, parent);
        var candidate = TufMetadata.Parse<SnapshotMetadata>(bytes, fileName);
        VerifyTopLevel(candidate, fileName, TufRoles.Snapshot, Root.Signed, RootRoleDescription(TufRoles.Snapshot));
        var signed = candidate.Signed;
        if (signed.Version != meta.Version)
        {
            throw new MetadataMismatchException(
                $"{fileName} is snapshot version {signed.Version} but {parent} names version {meta.Version}; metadata that does not belong together was not trusted.");
        }

        if (Snapshot is { } trusted)
        {
            if (signed.Version < trusted.Signed.Version)
            {
                throw new RollbackException(
                    $"{fileName} has version {signed.Version} but snapshot version {trusted.Signed.Version} is already trusted; an older snapshot is a rollback, so it was not trusted.");
            }

            foreach (var (name, old) in trusted.Signed.Meta)
            {
                if (!signed.Meta.TryGetValue(name, out var next))
                {
                    throw new RollbackException(
                        $"{fileName} no longer lists {name}, which the trusted snapshot (version {trusted.Signed.Version}) lists at version {old.Version}; dropping targets metadata is a rollback, so it was not trusted.");
                }

                if (next.Version < old.Version)
                {
                    throw new RollbackException(
                        $"{fileName} lists {name} at version {next.Version}, older than version {old.Version} in the trusted snapshot (version {trusted.Signed.Version}); a rollback, so it was not trusted.");
                }
            }
        }

        EnsureNotExpired(signed, fileName, now);
        return new(Root, Timestamp, new(candidate, bytes), Targets, DelegatedRoles.Clear());
    }

    /// <summary>Whether the trusted top-level targets is the one the trusted snapshot lists, unexpired.</summary>
    public bool IsTargetsFinal(DateTimeOffset now) =>
        Targets is { } targets
        && Snapshot is { } snapshot
        && snapshot.Signed.Meta.TryGetValue(TargetsFileName, out var meta)
        && targets.Signed.Version == meta.Version
        && HashChecker.MatchesMetaFile(targets.Bytes, meta)
        && !IsExpired(targets.Signed, now);

    /// <summary>Adopts the top-level targets kept in the store when it passes every check; null otherwise.</summary>
    public TrustedMetadataSet? TryAdoptCachedTargets(byte[] bytes, DateTimeOffset now)
    {
        try
        {
            return WithTargets(bytes, "targets.json in the trusted metadata store", now);
        }
        catch (TufException)
        {
            return null;
        }
    }

    /// <summary>
    /// Accepts new top-level targets: length and hashes as the snapshot gives them, signed by
    /// the root's targets keys, the version the snapshot names, not expired.
    /// </summary>
    public TrustedMetadataSet WithTargets(byte[] bytes, string fileName, DateTimeOffset now)
    {
        var meta = TargetsMeta();
        var parent = $"snapshot.json (version {Snapshot!.Signed.Version})";
        HashChecker.VerifyMetaFile(bytes, meta, fileName, parent);
        var candidate = TufMetadata.Parse<TargetsMetadata>(bytes, fileName);
        VerifyTopLevel(candidate, fileName, TufRoles.Targets, Root.Signed, RootRoleDescription(TufRoles.Targets));
        var signed = candidate.Signed;
        if (signed.Version != meta.Version)
        {
            throw new MetadataMismatchException(
                $"{fileName} is targets version {signed.Version} but {parent} names version {meta.Version}; metadata that does not belong together was not trusted.");
        }

        EnsureNotExpired(signed, fileName, now);
        return new(Root, Timestamp, Snapshot, new(candidate, bytes), DelegatedRoles.Clear());
    }

    /// <summary>
    /// Accepts a delegated targets role: length, hashes and version as the snapshot gives
    /// them, signed by a threshold of the keys the delegating role trusts for it, not expired.
    /// </summary>
    /// <param name="role">The delegated role's name.</param>
    /// <param name="delegator">The verified metadata that delegates to it.</param>
    /// <param name="delegatorName">The delegating role's name, for messages.</param>
    /// <param name="delegation">The delegation naming its keys and threshold.</param>
    /// <param name="bytes">The candidate's bytes.</param>
    /// <param name="fileName">Its file name, for messages.</param>
    /// <param name="now">The current time.</param>
    /// <param name="trusted">The accepted role.</param>
    public TrustedMetadataSet WithDelegatedRole(
        string role,
        Metadata<TargetsMetadata> delegator,
        string delegatorName,
        DelegatedRole delegation,
        byte[] bytes,
        string fileName,
        DateTimeOffset now,
        out TrustedDelegatedRole trusted)
    {
        var meta = DelegatedMeta(role);
        var parent = $"snapshot.json (version {Snapshot!.Signed.Version})";
        HashChecker.VerifyMetaFile(bytes, meta, fileName, parent);
        var candidate = TufMetadata.Parse<TargetsMetadata>(bytes, fileName);
        VerifyDelegated(candidate, fileName, delegator, delegatorName, delegation);
        var signed = candidate.Signed;
        if (signed.Version != meta.Version)
        {
            throw new MetadataMismatchException(
                $"{fileName} is version {signed.Version} of role \"{role}\" but {parent} names version {meta.Version}; metadata that does not belong together was not trusted.");
        }

        EnsureNotExpired(signed, fileName, now);
        trusted = new(new(candidate, bytes), delegator, delegation);
        return new(Root, Timestamp, Snapshot, Targets, DelegatedRoles.SetItem(role, trusted));
    }

    /// <summary>What the trusted snapshot says about the top-level targets metadata.</summary>
    /// <exception cref="MetadataMismatchException">The snapshot does not list <c>targets.json</c>.</exception>
    public MetaFile TargetsMeta()
    {
        var snapshot = Snapshot ?? throw new InvalidOperationException("A snapshot must be trusted before targets.");
        if (!snapshot.Signed.Meta.TryGetValue(TargetsFileName, out var meta))
        {
            throw new MetadataMismatchException(
                $"snapshot.json (version {snapshot.Signed.Version}) does not list {TargetsFileName}; the repository's snapshot is incomplete, so no targets were trusted. The repository must be re-published.");
        }

        return meta;
    }

    /// <summary>What the trusted snapshot says about a delegated role's metadata.</summary>
    /// <exception cref="MetadataMismatchException">The snapshot does not list the role.</exception>
    public MetaFile DelegatedMeta(string role)
    {
        var snapshot = Snapshot ?? throw new InvalidOperationException("A snapshot must be trusted before delegated roles.");
        if (!snapshot.Signed.Meta.TryGetValue(role + ".json", out var meta))
        {
            throw new MetadataMismatchException(
                $"snapshot.json (version {snapshot.Signed.Version}) does not list {role}.json, the metadata of delegated role \"{role}\"; the repository's snapshot is incomplete, so the role was not trusted.");
        }

        return meta;
    }

    /// <summary>Throws unless the delegating role's keys for <paramref name="delegation"/> signed <paramref name="metadata"/>.</summary>
    public static void VerifyDelegated(
        Metadata<TargetsMetadata> metadata, string fileName, Metadata<TargetsMetadata> delegator, string delegatorName, DelegatedRole delegation)
    {
        var keys = delegator.Signed.Delegations?.Keys ?? ImmutableDictionary<string, TufKey>.Empty;
        ThresholdVerifier.Verify(
            metadata, fileName, $"the \"{delegation.Name}\" role's (as delegated by \"{delegatorName}\")", delegation.KeyIds, delegation.Threshold, keys);
    }

    private static string RootRoleDescription(string role) => $"the trusted root's {role}";

    private static MetaFile SnapshotMetaOf(TimestampMetadata timestamp) =>
        timestamp.SnapshotMeta ?? throw new MalformedMetadataException("timestamp.json does not list snapshot.json.");

    private static void VerifyTopLevel<T>(Metadata<T> metadata, string fileName, string role, RootMetadata root, string keysDescription)
        where T : SignedMetadata
    {
        var keys = root.Roles[role];
        ThresholdVerifier.Verify(metadata, fileName, keysDescription, keys.KeyIds, keys.Threshold, root.Keys);
    }

    private static void EnsureNotExpired(SignedMetadata signed, string fileName, DateTimeOffset now)
    {
        if (IsExpired(signed, now))
        {
            throw new ExpiredMetadataException(
                $"{fileName} expired at {FormatTime(signed.Expires)}; the repository must be refreshed (`otter repo refresh`) — nothing was trusted from it.");
        }
    }

    private static bool KeysChanged(RootMetadata before, RootMetadata after, string role)
    {
        var old = before.Roles[role];
        var now = after.Roles[role];
        return old.Threshold != now.Threshold
            || !new HashSet<string>(old.KeyIds, StringComparer.Ordinal).SetEquals(now.KeyIds);
    }

    private static TrustedFile<T>? KeepIfVerified<T>(TrustedFile<T>? file, string role, RootMetadata root)
        where T : SignedMetadata
    {
        if (file is null)
        {
            return null;
        }

        var keys = root.Roles[role];
        var count = ThresholdVerifier.CountValidSignatures(file.Metadata.CanonicalSigned.Span, file.Metadata.Signatures, keys.KeyIds, root.Keys);
        return count >= keys.Threshold ? file : null;
    }
}
