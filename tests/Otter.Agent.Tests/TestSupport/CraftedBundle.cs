using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Otter.Trust.Bundles;
using Otter.Trust.Json;
using Otter.Trust.Keys;

namespace Otter.Agent.Tests.TestSupport;

/// <summary>
/// Bundles made by hand, byte by byte, for inputs <c>otter bundle create</c> would never write:
/// the <c>signed</c> object is signed exactly as given (canonical JSON, like the real signer),
/// and can be changed after signing.
/// </summary>
internal static class CraftedBundle
{
    /// <summary>A manifest's <c>signed</c> object for these stages.</summary>
    public static JsonObject Manifest(string version, long securityCounter, string hardware, IEnumerable<(string Name, byte[] Bytes)> stages)
    {
        var list = new JsonArray();
        foreach (var (name, bytes) in stages)
        {
            list.Add(new JsonObject
            {
                ["name"] = name,
                ["sha256"] = Convert.ToHexStringLower(SHA256.HashData(bytes)),
                ["length"] = bytes.Length,
            });
        }

        return new JsonObject
        {
            ["type"] = BootManifest.ManifestType,
            ["version"] = version,
            ["security_counter"] = securityCounter,
            ["hardware"] = hardware,
            ["stages"] = list,
        };
    }

    /// <summary>The signed manifest document: <paramref name="signed"/> signed by <paramref name="key"/>, then <paramref name="afterSigning"/> applied to the whole document.</summary>
    public static byte[] Document(JsonObject signed, ISigner key, Action<JsonObject>? afterSigning = null)
    {
        using var parsed = JsonDocument.Parse(signed.ToJsonString());
        var signature = key.Sign(CanonicalJson.Serialize(parsed.RootElement));
        var document = new JsonObject
        {
            ["signed"] = signed.DeepClone(),
            ["public_key"] = key.PublicKey.KeyValue.Public,
            ["signatures"] = new JsonArray(new JsonObject { ["keyid"] = key.KeyId, ["sig"] = Convert.ToHexStringLower(signature) }),
        };
        afterSigning?.Invoke(document);
        return Encoding.UTF8.GetBytes(document.ToJsonString());
    }

    /// <summary>Magic, manifest length, manifest document, then the stage bytes.</summary>
    public static byte[] Bundle(byte[] document, IEnumerable<byte[]> stageBytes)
    {
        using var output = new MemoryStream();
        output.Write(BundleFormat.Magic);
        Span<byte> length = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(length, (uint)document.Length);
        output.Write(length);
        output.Write(document);
        foreach (var bytes in stageBytes)
        {
            output.Write(bytes);
        }

        return output.ToArray();
    }

    /// <summary>A whole bundle: the stages, a manifest describing them signed by <paramref name="key"/>, with optional edits before and after signing.</summary>
    public static byte[] Build(
        IReadOnlyList<(string Name, byte[] Bytes)> stages,
        ISigner key,
        string version = "2.0",
        long securityCounter = 2,
        string hardware = ReleaseFactory.Hardware,
        Action<JsonObject>? beforeSigning = null,
        Action<JsonObject>? afterSigning = null)
    {
        var signed = Manifest(version, securityCounter, hardware, stages);
        beforeSigning?.Invoke(signed);
        return Bundle(Document(signed, key, afterSigning), stages.Select(s => s.Bytes));
    }
}
