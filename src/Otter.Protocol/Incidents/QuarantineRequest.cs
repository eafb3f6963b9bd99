namespace Otter.Protocol.Incidents;

/// <summary><c>POST /api/v1/devices/{id}/quarantine</c> and <c>…/unquarantine</c>.</summary>
public sealed record QuarantineRequest
{
    /// <summary>Why; recorded in the incident and the audit log.</summary>
    public required string Reason { get; init; }
}
