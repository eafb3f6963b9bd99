using Otter.Ledger;
using Otter.Ledger.Notes;
using Otter.Trust;
using Otter.Trust.Keys;

namespace Otter.Cli.Cli;

/// <summary>
/// A log's public key as <c>--log-key</c> names it (PEM public key, key file, pkcs11: URI or a
/// verifier key <c>name+id+key</c>), loaded before anything is uploaded so that a bad key is a
/// usage error rather than a release published and left unchecked.
/// </summary>
internal sealed class LogKey
{
    private readonly NoteKey? _verifierKey;
    private readonly string? _publicKeyPem;

    private LogKey(NoteKey? verifierKey, string? publicKeyPem)
    {
        _verifierKey = verifierKey;
        _publicKeyPem = publicKeyPem;
    }

    public static LogKey Load(string reference, IPassphraseSource passphrases)
    {
        var isUri = KeyLoader.IsPkcs11Uri(reference);
        if (!isUri && !File.Exists(reference))
        {
            throw new UsageException($"--log-key {reference} does not exist; give the log's public key (the server's device-trust/log.pub).");
        }

        try
        {
            // The same forms `otter log verify --key` takes: text without PEM armour is a verifier key.
            if (!isUri && File.ReadAllText(reference) is var text && !text.Contains("-----BEGIN", StringComparison.Ordinal))
            {
                return new LogKey(NoteKey.ParseVerifierKey(text), null);
            }

            using var handle = new KeyLoader(passphrases).Open(reference);
            return new LogKey(null, handle.PublicKey.KeyValue.Public);
        }
        catch (TrustException ex)
        {
            throw new UsageException($"--log-key {reference} is not a usable log key: {ex.Message}");
        }
    }

    /// <summary>The note key that must have signed checkpoints of <paramref name="origin"/>.</summary>
    /// <exception cref="LedgerException">The verifier key is for another log.</exception>
    public NoteKey For(string origin)
    {
        if (_verifierKey is not null)
        {
            return _verifierKey.Name == origin
                ? _verifierKey
                : throw new LedgerException($"the log is \"{origin}\" but --log-key is the key of \"{_verifierKey.Name}\".");
        }

        return NoteKey.FromPem(origin, _publicKeyPem!);
    }
}
