namespace Otter.Server.Setup;

/// <summary>The layout of a server data directory.</summary>
internal sealed class ServerPaths(string root)
{
    /// <summary>The data directory, absolute.</summary>
    public string Root { get; } = Path.GetFullPath(root);

    public string Settings => Path.Combine(Root, "server.json");

    public string SqliteDatabase => Path.Combine(Root, "otter.db");

    public string Keys => Path.Combine(Root, "keys");

    public string Pki => Path.Combine(Root, "pki");

    public string CaCertificate => Path.Combine(Pki, "ca.pem");

    public string CaKey => Path.Combine(Pki, "ca.key");

    public string TlsCertificate => Path.Combine(Pki, "server.pem");

    public string TlsKey => Path.Combine(Pki, "server.key");

    public string Manufacturers => Path.Combine(Root, "manufacturers");

    public string DevFactory => Path.Combine(Root, "dev-factory");

    public string DeviceTrust => Path.Combine(Root, "device-trust");

    public string Repository => Path.Combine(Root, "repo");

    public string Log => Path.Combine(Root, "log");

    public string Uploads => Path.Combine(Root, "uploads");

    public string AuditHead => Path.Combine(Root, "audit-head.json");

    /// <summary>A key reference from the settings: a pkcs11: URI as is, a path relative to the data directory made absolute.</summary>
    public string ResolveKey(string reference) =>
        Otter.Trust.Keys.KeyLoader.IsPkcs11Uri(reference) ? reference : Path.GetFullPath(reference, Root);
}
