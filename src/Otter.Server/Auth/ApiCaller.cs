namespace Otter.Server.Auth;

/// <summary>The operator behind a management request.</summary>
internal sealed record ApiCaller(string KeyId, string Name, string Role)
{
    /// <summary>How the audit log names the caller.</summary>
    public string Actor => $"key:{Name}";
}
