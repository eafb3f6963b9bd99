namespace Otter.Protocol.Management;

/// <summary>The result of checking the audit chain.</summary>
public sealed record AuditVerification
{
    /// <summary>Whether every row links and hashes correctly and the chain reaches the recorded head.</summary>
    public bool Valid { get; init; }

    /// <summary>Rows checked.</summary>
    public long Entries { get; init; }

    /// <summary>Hex hash of the last row.</summary>
    public string? Head { get; init; }

    /// <summary>The first row that fails, if any.</summary>
    public long? FirstBadSequence { get; init; }

    /// <summary>What is wrong, in words.</summary>
    public string? Problem { get; init; }
}
