using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Otter.Trust.Bundles;
using Otter.Trust.Json;
using Otter.Trust.Keys;

namespace Otter.Trust.Tests.Bundles;

/// <summary>
/// Hand-made boot manifest documents and bundles, for inputs <see cref="SignedBootManifest.Create"/>
/// and <see cref="BundleWriter"/> refuse to make: signed the way <c>Create</c> signs (the boot
/// key's signature over the canonical JSON of <c>signed</c>, hex, with its key id).
/// </summary>
internal static class ManifestDocuments
{
    /// <summary>A <c>signed</c> object for a manifest listing <paramref name="stages"/>.</summary>
    public static JsonObject Signed(params (string Name, byte[] Bytes)[] stages) =>
        Signed(stages.Select(s => Stage(s.Name, s.Bytes.LongLength, Convert.ToHexStringLower(SHA256.HashData(s.Bytes)))).ToArray());

    /// <summary>A <c>signed</c> object listing the given stage objects.</summary>
    public static JsonObject Signed(params JsonObject[] stages) => new()
    {
        ["type"] = BootManifest.ManifestType,
        ["version"] = "1.0.0",
        ["security_counter"] = 1,
        ["hardware"] = "gw-x2",
        ["stages"] = new JsonArray(stages.Select(JsonNode (s) => s).ToArray()),
    };

    /// <summary>A stage object; <paramref name="length"/> may be any JSON number text.</summary>
    public static JsonObject Stage(string name, long length, string sha256) => Stage(name, length.ToString(System.Globalization.CultureInfo.InvariantCulture), sha256);

    /// <summary>A stage object whose length is the raw JSON number <paramref name="lengthJson"/>.</summary>
    public static JsonObject Stage(string name, string lengthJson, string sha256) => new()
    {
        ["name"] = name,
        ["sha256"] = sha256,
        ["length"] = JsonNode.Parse(lengthJson),
    };

    /// <summary>The document: <paramref name="signed"/>, <paramref name="key"/>'s public half and its signature over the canonical form.</summary>
    public static byte[] Sign(JsonObject signed, ISigner key) => Sign(signed, key, key.PublicKey.KeyValue.Public);

    /// <summary>As <see cref="Sign(JsonObject, ISigner)"/>, but carrying <paramref name="publicKeyPem"/> as the boot key.</summary>
    public static byte[] Sign(JsonObject signed, ISigner key, string publicKeyPem)
    {
        var signature = Convert.ToHexStringLower(key.Sign(Canonical(signed)));
        return Document(signed, publicKeyPem, key.KeyId, signature);
    }

    /// <summary>The document with a signature that was never made (for inputs refused before any signature check).</summary>
    public static byte[] Unsigned(JsonObject signed, ISigner key) => Document(signed, key.PublicKey.KeyValue.Public, key.KeyId, new string('0', 128));

    /// <summary>The canonical bytes of <paramref name="signed"/>.</summary>
    public static byte[] Canonical(JsonObject signed)
    {
        using var json = JsonDocument.Parse(signed.ToJsonString());
        return CanonicalJson.Serialize(json.RootElement);
    }

    /// <summary>A bundle: header, <paramref name="document"/>, then <paramref name="stages"/> in order.</summary>
    public static byte[] Bundle(byte[] document, params byte[][] stages)
    {
        using var bundle = new MemoryStream();
        bundle.Write(Header(document.Length));
        bundle.Write(document);
        foreach (var stage in stages)
        {
            bundle.Write(stage);
        }

        return bundle.ToArray();
    }

    /// <summary>The 12-byte header: magic and the big-endian manifest length.</summary>
    public static byte[] Header(uint manifestLength)
    {
        var header = new byte[BundleFormat.HeaderLength];
        BundleFormat.Magic.CopyTo(header);
        BinaryPrimitives.WriteUInt32BigEndian(header.AsSpan(8), manifestLength);
        return header;
    }

    /// <summary>Parses <paramref name="document"/> as JSON for editing.</summary>
    public static JsonObject Edit(byte[] document) => JsonNode.Parse(document)!.AsObject();

    /// <summary>The bytes of an edited document.</summary>
    public static byte[] Bytes(JsonObject document) => Encoding.UTF8.GetBytes(document.ToJsonString());

    private static byte[] Header(int manifestLength) => Header((uint)manifestLength);

    private static byte[] Document(JsonObject signed, string publicKeyPem, string keyId, string signature)
    {
        var document = new JsonObject
        {
            ["signed"] = signed.DeepClone(),
            ["public_key"] = publicKeyPem,
            ["signatures"] = new JsonArray(new JsonObject { ["keyid"] = keyId, ["sig"] = signature }),
        };
        return Bytes(document);
    }
}
