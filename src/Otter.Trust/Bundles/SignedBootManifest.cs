using System.Buffers;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.RegularExpressions;
using Otter.Trust.Json;
using Otter.Trust.Keys;
using Otter.Trust.Tuf;

namespace Otter.Trust.Bundles;

/// <summary>
/// A boot manifest with the boot key's public half and its signature. The ROM trusts it only
/// when SHA-256 of that public key (DER SubjectPublicKeyInfo) equals the hash fused at
/// provisioning and the signature over the canonical JSON of <c>signed</c> verifies.
/// </summary>
public sealed partial class SignedBootManifest
{
    /// <summary>Largest manifest document accepted.</summary>
    public const int MaxLength = 1024 * 1024;

    /// <summary>Most stages a manifest may list.</summary>
    public const int MaxStages = 16;

    private readonly IReadOnlyList<TufSignature> _signatures;
    private readonly byte[] _canonicalSigned;

    private SignedBootManifest(BootManifest manifest, string publicKeyPem, IReadOnlyList<TufSignature> signatures, byte[] canonicalSigned, byte[] bytes)
    {
        Manifest = manifest;
        PublicKeyPem = publicKeyPem;
        _signatures = signatures;
        _canonicalSigned = canonicalSigned;
        Bytes = bytes;
    }

    /// <summary>The signed manifest.</summary>
    public BootManifest Manifest { get; }

    /// <summary>The boot key's public half (PEM), as carried in the bundle.</summary>
    public string PublicKeyPem { get; }

    /// <summary>The document's bytes, as stored in the bundle and the slot.</summary>
    public byte[] Bytes { get; }

    /// <summary>SHA-256 of the document bytes (what an attestation quote names).</summary>
    public byte[] Hash => SHA256.HashData(Bytes);

    /// <summary>The value fused into a device's ROM for a boot key: SHA-256 of its DER SubjectPublicKeyInfo.</summary>
    /// <exception cref="BundleException">The PEM is not a P-256 public key.</exception>
    public static byte[] KeyHash(string publicKeyPem)
    {
        using var key = EcdsaP256.TryImportPublic(publicKeyPem)
            ?? throw new BundleException("the boot key is not an ECDSA P-256 public key in PEM form.");
        return SHA256.HashData(key.ExportSubjectPublicKeyInfo());
    }

    /// <summary>Signs <paramref name="manifest"/> with the boot key and returns the document bytes.</summary>
    public static byte[] Create(BootManifest manifest, ISigner bootKey)
    {
        ArgumentNullException.ThrowIfNull(manifest);
        ArgumentNullException.ThrowIfNull(bootKey);
        Validate(manifest);
        var signed = JsonSerializer.SerializeToElement(manifest, BundleJsonContext.Default.BootManifest);
        var canonical = CanonicalJson.Serialize(signed);
        var document = new SignedBootManifestDocument
        {
            Signed = signed,
            PublicKey = bootKey.PublicKey.KeyValue.Public,
            Signatures = [new TufSignature { KeyId = bootKey.KeyId, Signature = Convert.ToHexStringLower(bootKey.Sign(canonical)) }],
        };
        return JsonSerializer.SerializeToUtf8Bytes(document, BundleJsonContext.Default.SignedBootManifestDocument);
    }

    /// <summary>Parses a manifest document and checks its structure (not its signature: see <see cref="Verify"/>).</summary>
    /// <exception cref="BundleException">The document is malformed; the message says where.</exception>
    public static SignedBootManifest Parse(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length == 0 || bytes.Length > MaxLength)
        {
            throw new BundleException($"the boot manifest is {bytes.Length} bytes; it must be 1 to {MaxLength}.");
        }

        try
        {
            var copy = bytes.ToArray();
            using var json = JsonDocument.Parse(copy, CanonicalJson.StrictParseOptions);
            var document = json.RootElement.Deserialize(BundleJsonContext.Default.SignedBootManifestDocument)
                ?? throw new BundleException("the boot manifest is empty.");
            if (document.Signed.ValueKind != JsonValueKind.Object)
            {
                throw new BundleException("the boot manifest's \"signed\" is not an object.");
            }

            var canonical = CanonicalJson.Serialize(document.Signed);
            var manifest = document.Signed.Deserialize(BundleJsonContext.Default.BootManifest)
                ?? throw new BundleException("the boot manifest's \"signed\" is empty.");
            Validate(manifest);
            return new SignedBootManifest(manifest, document.PublicKey, document.Signatures, canonical, copy);
        }
        catch (JsonException ex)
        {
            throw new BundleException($"the boot manifest is not valid{(ex.Path is null ? string.Empty : " at " + ex.Path)}: {ex.Message}", ex);
        }
        catch (CanonicalJsonException ex)
        {
            throw new BundleException($"the boot manifest cannot be put in canonical form: {ex.Message}", ex);
        }
    }

    /// <summary>
    /// Checks the manifest against the fused boot key hash: the carried public key must hash to
    /// it and must have signed the manifest.
    /// </summary>
    /// <exception cref="BundleException">Another key, or a bad signature.</exception>
    public void Verify(ReadOnlySpan<byte> fusedKeyHash)
    {
        byte[] keyHash;
        try
        {
            keyHash = KeyHash(PublicKeyPem);
        }
        catch (BundleException ex)
        {
            throw new BundleException($"the boot manifest carries a boot key Otter cannot use: {ex.Message}", ex);
        }

        if (!CryptographicOperations.FixedTimeEquals(keyHash, fusedKeyHash))
        {
            throw new BundleException("the bundle is signed by a boot key other than the one fused into this device; it can never boot here.");
        }

        var key = EcdsaP256.ToTufKeyFromPem(PublicKeyPem);
        var keyId = KeyIds.Compute(key);
        if (!_signatures.Any(s => s.KeyId == keyId && SignatureVerifier.Verify(key, _canonicalSigned, s.Signature)))
        {
            throw new BundleException("the boot manifest's signature by the fused boot key does not verify; the manifest was altered.");
        }
    }

    /// <summary>Whether <paramref name="name"/> is a plain stage name (no path parts).</summary>
    public static bool IsValidStageName(string name) => StageName().IsMatch(name);

    private static void Validate(BootManifest manifest)
    {
        if (manifest.Type != BootManifest.ManifestType)
        {
            throw new BundleException($"the boot manifest has type \"{manifest.Type}\"; Otter reads {BootManifest.ManifestType}.");
        }

        if (string.IsNullOrWhiteSpace(manifest.Version) || string.IsNullOrWhiteSpace(manifest.Hardware))
        {
            throw new BundleException("the boot manifest needs a version and a hardware id.");
        }

        if (manifest.SecurityCounter < 0)
        {
            throw new BundleException($"the boot manifest's security counter {manifest.SecurityCounter} is negative.");
        }

        if (manifest.Stages.Count is 0 or > MaxStages)
        {
            throw new BundleException($"the boot manifest lists {manifest.Stages.Count} stages; a bundle has 1 to {MaxStages}.");
        }

        var names = new HashSet<string>(StringComparer.Ordinal);
        long total = 0;
        foreach (var stage in manifest.Stages)
        {
            if (!IsValidStageName(stage.Name))
            {
                throw new BundleException($"stage name \"{stage.Name}\" is not a plain name (letters, digits, '.', '-', '_'; no '/' or '..').");
            }

            if (!names.Add(stage.Name))
            {
                throw new BundleException($"stage \"{stage.Name}\" appears twice in the boot manifest.");
            }

            if (stage.Length < 0 || stage.Length > BundleFormat.MaxStageLength)
            {
                throw new BundleException($"stage \"{stage.Name}\" declares {stage.Length} bytes; stages are 0 to {BundleFormat.MaxStageLength} bytes.");
            }

            if (stage.Sha256.Length != 64 || !stage.Sha256.All(c => char.IsAsciiHexDigitLower(c) || char.IsAsciiDigit(c)))
            {
                throw new BundleException($"stage \"{stage.Name}\" has a malformed sha256 (64 lower-case hex digits expected).");
            }

            total += stage.Length;
        }

        if (total > BundleFormat.MaxStageLength)
        {
            throw new BundleException($"the stages add up to {total} bytes, more than the {BundleFormat.MaxStageLength} a bundle may hold.");
        }
    }

    // \z, not $: $ also matches before a final newline, which would let "os\n" through.
    [GeneratedRegex(@"\A[A-Za-z0-9][A-Za-z0-9._-]{0,63}\z", RegexOptions.CultureInvariant)]
    private static partial Regex StageName();
}
