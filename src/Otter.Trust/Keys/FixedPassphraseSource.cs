namespace Otter.Trust.Keys;

/// <summary>A passphrase given up front (tests, services that read it from their own secret store).</summary>
public sealed class FixedPassphraseSource(string passphrase) : IPassphraseSource
{
    /// <inheritdoc />
    public string GetPassphrase(string keyPath, bool confirm) => passphrase;
}
