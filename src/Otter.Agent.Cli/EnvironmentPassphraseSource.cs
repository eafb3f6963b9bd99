using Otter.Trust.Keys;

namespace Otter.Agent.Cli;

/// <summary>A device has no operator at a terminal: the device key's passphrase comes from <c>OTTER_KEY_PASSPHRASE</c> or not at all.</summary>
internal sealed class EnvironmentPassphraseSource : IPassphraseSource
{
    public string GetPassphrase(string keyPath, bool confirm) =>
        Environment.GetEnvironmentVariable("OTTER_KEY_PASSPHRASE") is { Length: > 0 } passphrase
            ? passphrase
            : throw new KeyException($"{keyPath} is encrypted: set OTTER_KEY_PASSPHRASE for the agent (or give the device a pkcs11: key).");
}
