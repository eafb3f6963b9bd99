using System.Security.Cryptography;
using System.Text.Json;

namespace Otter.Agent.Tests.TestSupport;

/// <summary>The measurement register a slot should produce, computed here without the agent's code.</summary>
internal static class Measurements
{
    /// <summary>SHA-256 chain from 32 zero bytes: the manifest document, then each stage in manifest order.</summary>
    public static string Expected(string device, string slot)
    {
        var directory = Path.Combine(device, "slots", slot);
        var manifest = File.ReadAllBytes(Path.Combine(directory, "manifest.json"));
        var register = new byte[32];
        register = Extend(register, SHA256.HashData(manifest));
        using var json = JsonDocument.Parse(manifest);
        foreach (var stage in json.RootElement.GetProperty("signed").GetProperty("stages").EnumerateArray())
        {
            var name = stage.GetProperty("name").GetString()!;
            register = Extend(register, SHA256.HashData(File.ReadAllBytes(Path.Combine(directory, name + ".stage"))));
        }

        return Convert.ToHexStringLower(register);
    }

    public static string ManifestSha256(string device, string slot) =>
        Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(Path.Combine(device, "slots", slot, "manifest.json"))));

    private static byte[] Extend(byte[] register, byte[] measurement) => SHA256.HashData([.. register, .. measurement]);
}
