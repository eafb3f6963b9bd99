namespace Otter.Trust.Tuf.Client;

/// <summary>
/// A verified delegated targets role, with the delegating metadata and delegation it was
/// verified under (a role reached through another delegation is verified again).
/// </summary>
internal sealed class TrustedDelegatedRole(TrustedFile<TargetsMetadata> file, Metadata<TargetsMetadata> verifiedBy, DelegatedRole delegation)
{
    public TrustedFile<TargetsMetadata> File { get; } = file;

    public Metadata<TargetsMetadata> VerifiedBy { get; } = verifiedBy;

    public DelegatedRole Delegation { get; } = delegation;
}
