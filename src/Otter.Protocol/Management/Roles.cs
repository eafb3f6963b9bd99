namespace Otter.Protocol.Management;

/// <summary>Management API roles.</summary>
public static class Roles
{
    /// <summary>Everything, including API keys and manufacturer trust.</summary>
    public const string Admin = "admin";

    /// <summary>Publishes releases; reads everything but the audit log.</summary>
    public const string ReleaseManager = "release-manager";

    /// <summary>Approves, tags and assigns devices; reads everything but the audit log.</summary>
    public const string Operator = "operator";

    /// <summary>Reads everything, including the audit log; changes nothing.</summary>
    public const string Auditor = "auditor";

    /// <summary>Every role, for validation.</summary>
    public static readonly IReadOnlyList<string> All = [Admin, ReleaseManager, Operator, Auditor];
}
