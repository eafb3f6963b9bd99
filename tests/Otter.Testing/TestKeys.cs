using Otter.Trust.Keys;

namespace Otter.Testing;

/// <summary>Key files for tests, written with few PBKDF2 iterations so tests stay fast.</summary>
public static class TestKeys
{
    /// <summary>The passphrase of every test key file.</summary>
    public const string Passphrase = "correct horse battery staple";

    /// <summary>Writes a new P-256 key file <c>&lt;name&gt;.key</c> in <paramref name="directory"/>.</summary>
    public static string Create(string directory, string name)
    {
        Directory.CreateDirectory(directory);
        var path = Path.Combine(directory, name + ".key");
        using var key = EcdsaP256.Generate();
        KeyFile.Write(path, key, Passphrase, iterations: 1000);
        return path;
    }

    /// <summary>Opens a test key's signer.</summary>
    public static ISigner OpenSigner(string path) => new KeyLoader(new FixedPassphraseSource(Passphrase)).OpenSigner(path);

    /// <summary>A test key's public key.</summary>
    public static TufKey PublicKey(string path)
    {
        using var handle = new KeyLoader(new FixedPassphraseSource(Passphrase)).Open(path);
        return handle.PublicKey;
    }
}
