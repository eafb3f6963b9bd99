using Otter.Trust.Keys;

namespace Otter.Agent.Tests.TestSupport;

/// <summary>Key files for tests, written with few PBKDF2 iterations so tests stay fast.</summary>
internal static class TestKeys
{
    public static string Create(string directory, string name)
    {
        Directory.CreateDirectory(directory);
        var path = Path.Combine(directory, name + ".key");
        using var key = EcdsaP256.Generate();
        KeyFile.Write(path, key, OtterRunner.Passphrase, iterations: 1000);
        return path;
    }

    public static ISigner OpenSigner(string path) => new KeyLoader(new FixedPassphraseSource(OtterRunner.Passphrase)).OpenSigner(path);

    public static TufKey PublicKey(string path)
    {
        using var handle = new KeyLoader(new FixedPassphraseSource(OtterRunner.Passphrase)).Open(path);
        return handle.PublicKey;
    }
}
