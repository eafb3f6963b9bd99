namespace Otter.Trust.Tuf.Client;

/// <summary>The outcome of a delegation search.</summary>
/// <param name="Set">The trusted set after the search (delegated roles it loaded added).</param>
/// <param name="Info">The target, or null when not found.</param>
/// <param name="LimitReached">Whether roles were left unvisited because of <see cref="TufClientOptions.MaxDelegations"/>.</param>
internal sealed record SearchResult(TrustedMetadataSet Set, TargetInfo? Info, bool LimitReached);
