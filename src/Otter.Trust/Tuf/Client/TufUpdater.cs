using System.Runtime.CompilerServices;

namespace Otter.Trust.Tuf.Client;

/// <summary>
/// The TUF 1.0 client workflow (specification section 5): follows root rotations, refreshes
/// timestamp, snapshot and targets, finds targets through delegations and downloads them
/// verified.
/// </summary>
/// <remarks>
/// <para>
/// Every piece of metadata is validated in full before it is trusted: when a step is
/// rejected, the trusted metadata (in memory and in the <see cref="ITrustedMetadataStore"/>)
/// is exactly what it was before that step. Accepted metadata is written to the store only
/// after it has passed every check.
/// </para>
/// <para>An instance is not thread-safe; use one per update run.</para>
/// </remarks>
public sealed class TufUpdater
{
    private readonly IRepositoryFetcher _fetcher;
    private readonly ITrustedMetadataStore _store;
    private readonly TufClientOptions _options;
    private readonly TimeProvider _time;
    private TrustedMetadataSet? _trusted;
    private bool _refreshed;

    /// <summary>Creates an updater.</summary>
    /// <param name="fetcher">Reaches the repository; nothing it returns is trusted unchecked.</param>
    /// <param name="store">
    /// Keeps trusted metadata between runs. It must already hold a trusted <c>root</c>,
    /// provisioned out of band (for example the repository's <c>1.root.json</c> shipped with
    /// the device image).
    /// </param>
    /// <param name="options">Limits; the defaults follow python-tuf's.</param>
    /// <param name="timeProvider">The clock used for expiry checks; the system clock by default.</param>
    /// <exception cref="ArgumentException"><paramref name="options"/> holds a limit that is not positive.</exception>
    public TufUpdater(IRepositoryFetcher fetcher, ITrustedMetadataStore store, TufClientOptions? options = null, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(fetcher);
        ArgumentNullException.ThrowIfNull(store);
        _fetcher = fetcher;
        _store = store;
        _options = options ?? new TufClientOptions();
        _time = timeProvider ?? TimeProvider.System;
        ValidateOptions(_options);
    }

    /// <summary>The trusted root metadata, or null before the first <see cref="RefreshAsync"/>.</summary>
    public Metadata<RootMetadata>? TrustedRoot => _trusted?.Root.Metadata;

    /// <summary>The trusted timestamp metadata, or null when none is trusted yet.</summary>
    public Metadata<TimestampMetadata>? TrustedTimestamp => _trusted?.Timestamp?.Metadata;

    /// <summary>The trusted snapshot metadata, or null when none is trusted yet.</summary>
    public Metadata<SnapshotMetadata>? TrustedSnapshot => _trusted?.Snapshot?.Metadata;

    /// <summary>The trusted top-level targets metadata, or null when none is trusted yet.</summary>
    public Metadata<TargetsMetadata>? TrustedTargets => _trusted?.Targets?.Metadata;

    /// <summary>The whole trusted set, for tests and diagnostics.</summary>
    internal TrustedMetadataSet? TrustedSet => _trusted;

    /// <summary>
    /// Runs the client workflow: loads the trusted root from the store, follows the root
    /// rotation chain (<c>N.root.json</c>), then refreshes timestamp, snapshot and top-level
    /// targets, persisting each accepted file.
    /// </summary>
    /// <exception cref="TufException">
    /// The store holds no trusted root, or the repository's metadata was rejected (the
    /// subclass says why: <see cref="UnsignedMetadataException"/>, <see cref="RollbackException"/>,
    /// <see cref="ExpiredMetadataException"/>, <see cref="MetadataMismatchException"/>,
    /// <see cref="LengthOrHashMismatchException"/>, <see cref="DownloadTooLargeException"/>,
    /// <see cref="MalformedMetadataException"/>, <see cref="RepositoryNotFoundException"/>).
    /// </exception>
    public async Task RefreshAsync(CancellationToken cancellationToken = default)
    {
        _refreshed = false;
        var now = _time.GetUtcNow();
        var set = _trusted ?? await LoadTrustedRootAsync(cancellationToken).ConfigureAwait(false);
        _trusted = set;
        set = await UpdateRootAsync(set, cancellationToken).ConfigureAwait(false);
        set.EnsureRootNotExpired(now);
        set = await UpdateTimestampAsync(set, now, cancellationToken).ConfigureAwait(false);
        set = await UpdateSnapshotAsync(set, now, cancellationToken).ConfigureAwait(false);
        await UpdateTargetsAsync(set, now, cancellationToken).ConfigureAwait(false);
        _refreshed = true;
    }

    /// <summary>
    /// Finds <paramref name="targetPath"/> in the trusted targets metadata, searching
    /// delegations depth-first in priority order (refreshes first when this instance has not
    /// refreshed yet or trusted metadata has expired since).
    /// </summary>
    /// <exception cref="TargetNotFoundException">No role trusted for the path lists it.</exception>
    /// <exception cref="TufException">Metadata needed for the search was rejected.</exception>
    public async Task<TargetInfo> GetTargetInfoAsync(string targetPath, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(targetPath);
        var set = await EnsureFreshAsync(cancellationToken).ConfigureAwait(false);
        var now = _time.GetUtcNow();
        var result = await SearchAsync(set, targetPath, now, cancellationToken).ConfigureAwait(false);
        if (result.Info is { } info)
        {
            return info;
        }

        var limit = result.LimitReached
            ? $" (the search stopped after {_options.MaxDelegations} delegated roles, the limit set by TufClientOptions.MaxDelegations)"
            : string.Empty;
        throw new TargetNotFoundException(
            $"target \"{targetPath}\" is not listed by targets.json (version {set.Targets!.Signed.Version}) or by any delegated role trusted for that path{limit}; check the path, or publish the target to the repository.");
    }

    /// <summary>
    /// Lists every target reachable from the top-level targets: every role is visited once, and
    /// each path is reported as <see cref="GetTargetInfoAsync"/> would resolve it (when several
    /// roles list a path, the first in search order wins; a path listed only by a role not
    /// trusted for it is left out).
    /// </summary>
    /// <exception cref="TufException">Metadata needed for the listing was rejected.</exception>
    public async IAsyncEnumerable<TargetInfo> EnumerateTargetsAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var set = await EnsureFreshAsync(cancellationToken).ConfigureAwait(false);
        var now = _time.GetUtcNow();

        // Every role is loaded once, in pre-order; each role must be listed in the snapshot,
        // which bounds the walk.
        var order = new List<Metadata<TargetsMetadata>>();
        var visited = new HashSet<string>(StringComparer.Ordinal);
        var stack = new List<PendingRole> { new(TufRoles.Targets, null, null, null) };
        while (stack.Count > 0)
        {
            var pending = stack[^1];
            stack.RemoveAt(stack.Count - 1);
            if (!visited.Add(pending.Role))
            {
                continue;
            }

            Metadata<TargetsMetadata> metadata;
            (set, metadata) = await LoadRoleAsync(set, pending, now, cancellationToken).ConfigureAwait(false);
            order.Add(metadata);
            if (metadata.Signed.Delegations is { } delegations)
            {
                for (var i = delegations.Roles.Count - 1; i >= 0; i--)
                {
                    stack.Add(new(delegations.Roles[i].Name, metadata, pending.Role, delegations.Roles[i]));
                }
            }
        }

        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var metadata in order)
        {
            foreach (var path in metadata.Signed.Targets.Keys.Order(StringComparer.Ordinal))
            {
                if (!seen.Add(path))
                {
                    continue;
                }

                var result = await SearchAsync(set, path, now, cancellationToken).ConfigureAwait(false);
                set = result.Set;
                if (result.Info is { } info)
                {
                    yield return info;
                }
            }
        }
    }

    /// <summary>
    /// Downloads <paramref name="target"/> into <paramref name="destination"/> in one streaming
    /// pass, hashing as it goes; memory use does not depend on the target's size. At most the
    /// target's length is written: a longer download stops with
    /// <see cref="DownloadTooLargeException"/>.
    /// </summary>
    /// <remarks>
    /// Bytes are written before the final length and hash checks can pass, so on any
    /// exception the caller must discard <paramref name="destination"/> (delete the temporary
    /// file, or mark the slot invalid) and install nothing from it.
    /// </remarks>
    /// <exception cref="DownloadTooLargeException">The repository sent more bytes than the target's length.</exception>
    /// <exception cref="LengthOrHashMismatchException">The target was short, failed a hash, or lists no hash Otter can check.</exception>
    /// <exception cref="RepositoryNotFoundException">The repository does not have the target.</exception>
    public async Task DownloadTargetAsync(TargetInfo target, Stream destination, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(destination);
        if (!destination.CanWrite)
        {
            throw new ArgumentException("The destination stream is not writable.", nameof(destination));
        }

        // Fails before anything is fetched when the target cannot be verified at all.
        _ = HashChecker.Checkable(target.File.Hashes, $"target {target.Path}", $"the \"{target.Role}\" role");
        var set = await EnsureFreshAsync(cancellationToken).ConfigureAwait(false);
        var path = set.Root.Signed.ConsistentSnapshot ? HashPrefixedPath(target) : target.Path;
        var source = await _fetcher.OpenTargetAsync(path, cancellationToken).ConfigureAwait(false);
        await using (source.ConfigureAwait(false))
        {
            await VerifiedTargetCopy.CopyAsync(source, destination, target, cancellationToken).ConfigureAwait(false);
        }
    }

    private static void ValidateOptions(TufClientOptions options)
    {
        static void Positive(long value, string name)
        {
            if (value <= 0)
            {
                throw new ArgumentException($"TufClientOptions.{name} is {value}; it must be positive.", nameof(options));
            }
        }

        Positive(options.MaxRootLength, nameof(options.MaxRootLength));
        Positive(options.MaxTimestampLength, nameof(options.MaxTimestampLength));
        Positive(options.MaxSnapshotLength, nameof(options.MaxSnapshotLength));
        Positive(options.MaxTargetsLength, nameof(options.MaxTargetsLength));
        Positive(options.MaxRootRotations, nameof(options.MaxRootRotations));
        if (options.MaxDelegations < 0)
        {
            throw new ArgumentException($"TufClientOptions.MaxDelegations is {options.MaxDelegations}; it must not be negative.", nameof(options));
        }
    }

    private static string HashPrefixedPath(TargetInfo target)
    {
        var hashes = target.File.Hashes;
        var hash = hashes.TryGetValue("sha256", out var sha256)
            ? sha256
            : hashes.OrderBy(h => h.Key, StringComparer.Ordinal).First().Value;
        var slash = target.Path.LastIndexOf('/');
        return slash < 0
            ? $"{hash}.{target.Path}"
            : $"{target.Path[..(slash + 1)]}{hash}.{target.Path[(slash + 1)..]}";
    }

    private static (long Cap, string Source) CapFor(MetaFile meta, string parent, long fallback, string fallbackName) =>
        meta.Length is { } length
            ? (length, $"the length {parent} gives it")
            : (fallback, $"the client's limit (TufClientOptions.{fallbackName})");

    private async Task<TrustedMetadataSet> EnsureFreshAsync(CancellationToken cancellationToken)
    {
        if (!_refreshed || _trusted is null || _trusted.AnyTopLevelExpired(_time.GetUtcNow()))
        {
            await RefreshAsync(cancellationToken).ConfigureAwait(false);
        }

        return _trusted!;
    }

    private async Task<TrustedMetadataSet> LoadTrustedRootAsync(CancellationToken cancellationToken)
    {
        var bytes = await _store.ReadAsync(TufRoles.Root, cancellationToken).ConfigureAwait(false)
            ?? throw new TufException(
                "the trusted metadata store holds no trusted root (root.json); provision one first with the repository's root metadata obtained out of band (for example its 1.root.json) — nothing was fetched.");
        return TrustedMetadataSet.FromTrustedRoot(bytes);
    }

    private async Task<TrustedMetadataSet> UpdateRootAsync(TrustedMetadataSet set, CancellationToken cancellationToken)
    {
        for (var i = 0; i < _options.MaxRootRotations; i++)
        {
            var fileName = $"{set.Root.Signed.Version + 1}.root.json";
            byte[] bytes;
            try
            {
                bytes = await FetchMetadataAsync(fileName, _options.MaxRootLength, "the client's limit (TufClientOptions.MaxRootLength)", cancellationToken).ConfigureAwait(false);
            }
            catch (RepositoryNotFoundException)
            {
                break;
            }

            var candidate = set.WithRoot(bytes, fileName, out var onlineKeysRotated);
            await _store.WriteAsync(TufRoles.Root, bytes, cancellationToken).ConfigureAwait(false);
            if (onlineKeysRotated)
            {
                // Specification 5.3.11: recovery from a fast-forward attack on timestamp or snapshot.
                await _store.DeleteAsync(TufRoles.Timestamp, cancellationToken).ConfigureAwait(false);
                await _store.DeleteAsync(TufRoles.Snapshot, cancellationToken).ConfigureAwait(false);
            }

            set = candidate;
            _trusted = set;
        }

        return set;
    }

    private async Task<TrustedMetadataSet> UpdateTimestampAsync(TrustedMetadataSet set, DateTimeOffset now, CancellationToken cancellationToken)
    {
        if (set.Timestamp is null
            && await _store.ReadAsync(TufRoles.Timestamp, cancellationToken).ConfigureAwait(false) is { } cached
            && set.TryAdoptCachedTimestamp(cached) is { } adopted)
        {
            set = adopted;
            _trusted = set;
        }

        const string fileName = "timestamp.json";
        var bytes = await FetchMetadataAsync(fileName, _options.MaxTimestampLength, "the client's limit (TufClientOptions.MaxTimestampLength)", cancellationToken).ConfigureAwait(false);
        var candidate = set.WithTimestamp(bytes, fileName, now);
        return ReferenceEquals(candidate, set)
            ? set
            : await CommitAsync(candidate, TufRoles.Timestamp, bytes, cancellationToken).ConfigureAwait(false);
    }

    private async Task<TrustedMetadataSet> UpdateSnapshotAsync(TrustedMetadataSet set, DateTimeOffset now, CancellationToken cancellationToken)
    {
        if (set.Snapshot is null
            && await _store.ReadAsync(TufRoles.Snapshot, cancellationToken).ConfigureAwait(false) is { } cached
            && set.TryAdoptCachedSnapshot(cached) is { } adopted)
        {
            set = adopted;
            _trusted = set;
        }

        if (set.IsSnapshotFinal(now))
        {
            return set;
        }

        var timestamp = set.Timestamp!.Signed;
        var meta = timestamp.SnapshotMeta!;
        var fileName = set.Root.Signed.ConsistentSnapshot ? $"{meta.Version}.snapshot.json" : "snapshot.json";
        var (cap, capSource) = CapFor(meta, $"timestamp.json (version {timestamp.Version})", _options.MaxSnapshotLength, nameof(TufClientOptions.MaxSnapshotLength));
        var bytes = await FetchMetadataAsync(fileName, cap, capSource, cancellationToken).ConfigureAwait(false);
        var candidate = set.WithSnapshot(bytes, fileName, now);
        return await CommitAsync(candidate, TufRoles.Snapshot, bytes, cancellationToken).ConfigureAwait(false);
    }

    private async Task UpdateTargetsAsync(TrustedMetadataSet set, DateTimeOffset now, CancellationToken cancellationToken)
    {
        if (set.IsTargetsFinal(now))
        {
            return;
        }

        if (set.Targets is null
            && await _store.ReadAsync(TufRoles.Targets, cancellationToken).ConfigureAwait(false) is { } cached
            && set.TryAdoptCachedTargets(cached, now) is { } adopted)
        {
            _trusted = adopted;
            return;
        }

        var snapshot = set.Snapshot!.Signed;
        var meta = set.TargetsMeta();
        var fileName = set.Root.Signed.ConsistentSnapshot ? $"{meta.Version}.targets.json" : "targets.json";
        var (cap, capSource) = CapFor(meta, $"snapshot.json (version {snapshot.Version})", _options.MaxTargetsLength, nameof(TufClientOptions.MaxTargetsLength));
        var bytes = await FetchMetadataAsync(fileName, cap, capSource, cancellationToken).ConfigureAwait(false);
        var candidate = set.WithTargets(bytes, fileName, now);
        await CommitAsync(candidate, TufRoles.Targets, bytes, cancellationToken).ConfigureAwait(false);
    }

    private async Task<SearchResult> SearchAsync(TrustedMetadataSet set, string targetPath, DateTimeOffset now, CancellationToken cancellationToken)
    {
        // Pre-order depth-first search in delegation priority order, as python-tuf does.
        var visited = new HashSet<string>(StringComparer.Ordinal);
        var stack = new List<PendingRole> { new(TufRoles.Targets, null, null, null) };
        while (visited.Count <= _options.MaxDelegations && stack.Count > 0)
        {
            var pending = stack[^1];
            stack.RemoveAt(stack.Count - 1);
            if (visited.Contains(pending.Role))
            {
                continue;
            }

            Metadata<TargetsMetadata> metadata;
            (set, metadata) = await LoadRoleAsync(set, pending, now, cancellationToken).ConfigureAwait(false);
            if (metadata.Signed.Targets.TryGetValue(targetPath, out var file))
            {
                return new(set, new TargetInfo(targetPath, file, pending.Role), LimitReached: false);
            }

            visited.Add(pending.Role);
            if (metadata.Signed.Delegations is not { } delegations)
            {
                continue;
            }

            var children = new List<PendingRole>();
            foreach (var child in delegations.Roles)
            {
                if (!DelegationMatcher.IsTrustedFor(child, targetPath))
                {
                    continue;
                }

                children.Add(new(child.Name, metadata, pending.Role, child));
                if (child.Terminating)
                {
                    // A terminating role ends the search after it: nothing else still pending is visited.
                    stack.Clear();
                    break;
                }
            }

            children.Reverse();
            stack.AddRange(children);
        }

        return new(set, null, stack.Exists(p => !visited.Contains(p.Role)));
    }

    private async Task<(TrustedMetadataSet Set, Metadata<TargetsMetadata> Metadata)> LoadRoleAsync(
        TrustedMetadataSet set, PendingRole pending, DateTimeOffset now, CancellationToken cancellationToken)
    {
        if (pending.Parent is null)
        {
            return (set, set.Targets!.Metadata);
        }

        var role = pending.Role;
        var parent = pending.Parent;
        var parentName = pending.ParentName!;
        var delegation = pending.Delegation!;
        if (set.DelegatedRoles.TryGetValue(role, out var known))
        {
            if (!ReferenceEquals(known.VerifiedBy, parent) || !ReferenceEquals(known.Delegation, delegation))
            {
                TrustedMetadataSet.VerifyDelegated(known.File.Metadata, $"{role}.json", parent, parentName, delegation);
            }

            return (set, known.File.Metadata);
        }

        var storeKey = DelegatedRoleNames.Encode(role);
        var meta = set.DelegatedMeta(role);
        if (await _store.ReadAsync(storeKey, cancellationToken).ConfigureAwait(false) is { } cached)
        {
            try
            {
                var adopted = set.WithDelegatedRole(role, parent, parentName, delegation, cached, $"{role}.json in the trusted metadata store", now, out var trustedCached);
                _trusted = adopted;
                return (adopted, trustedCached.File.Metadata);
            }
            catch (TufException)
            {
                // Out of date or no longer valid: fetch the current version instead.
            }
        }

        var fileName = DelegatedRoleNames.FileName(role, meta.Version, set.Root.Signed.ConsistentSnapshot);
        var (cap, capSource) = CapFor(meta, $"snapshot.json (version {set.Snapshot!.Signed.Version})", _options.MaxTargetsLength, nameof(TufClientOptions.MaxTargetsLength));
        var bytes = await FetchMetadataAsync(fileName, cap, capSource, cancellationToken).ConfigureAwait(false);
        var candidate = set.WithDelegatedRole(role, parent, parentName, delegation, bytes, fileName, now, out var trusted);
        await _store.WriteAsync(storeKey, bytes, cancellationToken).ConfigureAwait(false);
        _trusted = candidate;
        return (candidate, trusted.File.Metadata);
    }

    private async Task<TrustedMetadataSet> CommitAsync(TrustedMetadataSet candidate, string storeKey, byte[] bytes, CancellationToken cancellationToken)
    {
        await _store.WriteAsync(storeKey, bytes, cancellationToken).ConfigureAwait(false);
        _trusted = candidate;
        return candidate;
    }

    private async Task<byte[]> FetchMetadataAsync(string fileName, long cap, string capSource, CancellationToken cancellationToken)
    {
        var stream = await _fetcher.OpenMetadataAsync(fileName, cancellationToken).ConfigureAwait(false);
        await using (stream.ConfigureAwait(false))
        {
            return await BoundedReader.ReadAsync(stream, cap, fileName, capSource, cancellationToken).ConfigureAwait(false);
        }
    }
}
