using Otter.Trust.Keys;

namespace Otter.Server.Setup;

/// <summary>Asks once for the passphrase of every key <c>server init</c> generates.</summary>
internal sealed class OncePassphraseSource(IPassphraseSource inner) : IPassphraseSource
{
    private string? _passphrase;

    public string GetPassphrase(string keyPath, bool confirm) =>
        _passphrase ??= inner.GetPassphrase("the server's new keys", confirm);
}
