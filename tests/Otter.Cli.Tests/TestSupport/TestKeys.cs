using Otter.Trust.Keys;

namespace Otter.Cli.Tests.TestSupport;

/// <summary>Key files for tests, written with few PBKDF2 iterations so tests stay fast.</summary>
internal static class TestKeys
{
    public static string Create(string directory, string name)
    {
        var path = Path.Combine(directory, name + ".key");
        using var key = EcdsaP256.Generate();
        KeyFile.Write(path, key, OtterRunner.Passphrase, iterations: 1000);
        return path;
    }
}
