using System.Buffers.Binary;
using System.Globalization;
using System.Security.Cryptography;
using Otter.Trust.Keys;

namespace Otter.Ledger.Notes;

/// <summary>
/// A C2SP signed-note public key of signature type 0x02 (ECDSA P-256): a name, a 4-byte key id
/// (the first four bytes of SHA-256 of the DER SubjectPublicKeyInfo, as that type defines it)
/// and the key. Its text form is the verifier key <c>name+hexid+base64(0x02 || SPKI)</c>.
/// </summary>
public sealed class NoteKey
{
    /// <summary>The signature type identifier of ECDSA signatures.</summary>
    public const byte EcdsaType = 0x02;

    private NoteKey(string name, byte[] subjectPublicKeyInfo, ECDsa key)
    {
        Name = name;
        SubjectPublicKeyInfo = subjectPublicKeyInfo;
        Key = key;
        KeyId = BinaryPrimitives.ReadUInt32BigEndian(SHA256.HashData(subjectPublicKeyInfo));
    }

    /// <summary>The key name (for a log, its origin).</summary>
    public string Name { get; }

    /// <summary>The 32-bit key id.</summary>
    public uint KeyId { get; }

    /// <summary>DER SubjectPublicKeyInfo.</summary>
    public byte[] SubjectPublicKeyInfo { get; }

    internal ECDsa Key { get; }

    /// <summary>The verifier key string <c>name+hexid+base64(0x02 || SPKI)</c>.</summary>
    public string VerifierKey => $"{Name}+{KeyId:x8}+{Convert.ToBase64String([EcdsaType, .. SubjectPublicKeyInfo])}";

    /// <summary>The note key for a P-256 public key in PEM form under <paramref name="name"/>.</summary>
    /// <exception cref="LedgerException">The name is not a valid key name or the key is not P-256.</exception>
    public static NoteKey FromPem(string name, string pem)
    {
        CheckName(name);
        var key = EcdsaP256.TryImportPublic(pem)
            ?? throw new LedgerException("the public key is not an ECDSA P-256 key in PEM form.");
        return new NoteKey(name, key.ExportSubjectPublicKeyInfo(), key);
    }

    /// <summary>Parses a verifier key string <c>name+hexid+base64(0x02 || SPKI)</c>.</summary>
    /// <exception cref="LedgerException">The string is malformed, of another type, or its id does not match.</exception>
    public static NoteKey ParseVerifierKey(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var parts = text.Trim().Split('+', 3);
        if (parts.Length != 3 || parts[1].Length != 8)
        {
            throw new LedgerException("a verifier key has the form name+hexid+base64key.");
        }

        byte[] raw;
        try
        {
            raw = Convert.FromBase64String(parts[2]);
        }
        catch (FormatException ex)
        {
            throw new LedgerException("the verifier key's id or key is not valid hex/base64.", ex);
        }

        // Hex digits only: no sign (Convert.ToUInt32 threw ArgumentException on one) and no 0x.
        if (!uint.TryParse(parts[1], NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var id))
        {
            throw new LedgerException("the verifier key's id or key is not valid hex/base64.");
        }

        if (raw.Length < 2 || raw[0] != EcdsaType)
        {
            throw new LedgerException("the verifier key is not an ECDSA (type 0x02) key; Otter logs sign with ECDSA P-256.");
        }

        var pem = "-----BEGIN PUBLIC KEY-----\n" + Convert.ToBase64String(raw.AsSpan(1)) + "\n-----END PUBLIC KEY-----\n";
        var key = FromPem(parts[0], pem);
        if (key.KeyId != id)
        {
            throw new LedgerException($"the verifier key's id {parts[1]} does not match its key ({key.KeyId:x8}).");
        }

        return key;
    }

    internal static void CheckName(string name)
    {
        if (string.IsNullOrEmpty(name) || name.Any(c => char.IsWhiteSpace(c) || char.IsControl(c) || c == '+'))
        {
            throw new LedgerException($"\"{name}\" is not a valid key name: it must be non-empty, without spaces or '+'.");
        }
    }
}
