namespace Otter.Simulator;

/// <summary>What every simulated device is provisioned with at its factory: trust anchors, a factory CA for its identity, and the fused boot key.</summary>
public sealed record FleetTrust
{
    /// <summary>The TUF root metadata devices start from.</summary>
    public required byte[] TrustedRoot { get; init; }

    /// <summary>The transparency log's public key (PEM).</summary>
    public required string LogKeyPem { get; init; }

    /// <summary>The transparency log's origin.</summary>
    public required string LogOrigin { get; init; }

    /// <summary>The fleet CA the server's TLS certificate chains to (PEM).</summary>
    public required string FleetCaPem { get; init; }

    /// <summary>The manufacturer CA that issues factory identities (PEM).</summary>
    public required string FactoryCaPem { get; init; }

    /// <summary>The manufacturer CA's unencrypted PKCS#8 key (PEM).</summary>
    public required string FactoryCaKeyPem { get; init; }

    /// <summary>The boot key's public half (PEM); its hash is fused into every device.</summary>
    public required string BootKeyPem { get; init; }

    /// <summary>
    /// Reads the trust anchors from a server data directory made by <c>otter server init</c>
    /// (<c>device-trust/</c> and the development manufacturer CA in <c>dev-factory/</c>).
    /// </summary>
    /// <exception cref="InvalidOperationException">A file is missing; the message names it.</exception>
    public static FleetTrust FromServerData(string dataDirectory, string bootKeyPem)
    {
        ArgumentNullException.ThrowIfNull(dataDirectory);
        string Read(params string[] parts)
        {
            var path = Path.Combine([dataDirectory, .. parts]);
            return File.Exists(path)
                ? File.ReadAllText(path)
                : throw new InvalidOperationException($"{path} is missing: {dataDirectory} is not a server data directory made by `otter server init`.");
        }

        return new FleetTrust
        {
            TrustedRoot = System.Text.Encoding.UTF8.GetBytes(Read("device-trust", "root.json")),
            LogKeyPem = Read("device-trust", "log.pub"),
            LogOrigin = Read("device-trust", "log-origin").Trim(),
            FleetCaPem = Read("device-trust", "ca.pem"),
            FactoryCaPem = Read("dev-factory", "ca.pem"),
            FactoryCaKeyPem = Read("dev-factory", "ca.key"),
            BootKeyPem = bootKeyPem,
        };
    }
}
