using Otter.Protocol.Management;

namespace Otter.Cli.Cli;

/// <summary><c>otter audit verify --json</c>: the server's own check and the client's check of the exported chain.</summary>
internal sealed record AuditReport
{
    /// <summary>Both checks passed and agree on the head.</summary>
    public bool Valid { get; init; }

    /// <summary>The first bad row either check found.</summary>
    public long? FirstBadSequence { get; init; }

    /// <summary>What is wrong with it.</summary>
    public string? Problem { get; init; }

    /// <summary>The export file checked (offline mode).</summary>
    public string? File { get; init; }

    /// <summary><c>GET /api/v1/audit/verify</c>; absent offline.</summary>
    public AuditVerification? Server { get; init; }

    /// <summary>The exported chain re-verified here.</summary>
    public required AuditVerification Local { get; init; }
}
