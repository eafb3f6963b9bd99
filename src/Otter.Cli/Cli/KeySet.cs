using Otter.Trust.Keys;

namespace Otter.Cli.Cli;

/// <summary>The keys a command opened, disposed together when it ends.</summary>
internal sealed class KeySet(IPassphraseSource passphrases) : IDisposable
{
    private readonly KeyLoader _loader = new(passphrases);
    private readonly List<KeyHandle> _opened = [];

    public KeyHandle Open(string reference, string flag)
    {
        if (string.IsNullOrWhiteSpace(reference))
        {
            throw new UsageException($"{flag} needs a key file path or a pkcs11: URI.");
        }

        var handle = _loader.Open(reference);
        _opened.Add(handle);
        return handle;
    }

    public KeyHandle? OpenOptional(string? reference, string flag) => reference is null ? null : Open(reference, flag);

    public List<KeyHandle> OpenAll(IEnumerable<string>? references, string flag) =>
        (references ?? []).Select(r => Open(r, flag)).ToList();

    public void Dispose()
    {
        foreach (var handle in _opened)
        {
            handle.Dispose();
        }
    }
}
