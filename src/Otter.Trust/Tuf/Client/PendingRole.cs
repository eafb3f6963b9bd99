namespace Otter.Trust.Tuf.Client;

/// <summary>A targets role waiting to be visited in a delegation search.</summary>
/// <param name="Role">The role's name.</param>
/// <param name="Parent">The verified metadata delegating to it; null for the top-level targets.</param>
/// <param name="ParentName">The delegating role's name.</param>
/// <param name="Delegation">The delegation naming its keys, threshold and paths.</param>
internal sealed record PendingRole(string Role, Metadata<TargetsMetadata>? Parent, string? ParentName, DelegatedRole? Delegation);
