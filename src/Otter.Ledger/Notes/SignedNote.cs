using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using Otter.Trust.Keys;

namespace Otter.Ledger.Notes;

/// <summary>A C2SP signed note: text ending in a newline, a blank line, signature lines.</summary>
public sealed class SignedNote
{
    /// <summary>Largest note accepted.</summary>
    public const int MaxLength = 64 * 1024;

    /// <summary>Most signature lines accepted.</summary>
    public const int MaxSignatures = 100;

    private const string SignaturePrefix = "\u2014 ";

    private SignedNote(string text, IReadOnlyList<NoteSignature> signatures)
    {
        Text = text;
        Signatures = signatures;
    }

    /// <summary>The signed text, including its final newline.</summary>
    public string Text { get; }

    /// <summary>The signature lines, in order.</summary>
    public IReadOnlyList<NoteSignature> Signatures { get; }

    /// <summary>Signs <paramref name="text"/> (which must end in a newline) as <paramref name="name"/>.</summary>
    public static string Sign(string text, string name, ISigner signer)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(signer);
        NoteKey.CheckName(name);
        CheckText(text);
        var key = NoteKey.FromPem(name, signer.PublicKey.KeyValue.Public);
        var signature = signer.Sign(Encoding.UTF8.GetBytes(text));
        var payload = new byte[4 + signature.Length];
        BinaryPrimitives.WriteUInt32BigEndian(payload, key.KeyId);
        signature.CopyTo(payload, 4);
        return $"{text}\n{SignaturePrefix}{name} {Convert.ToBase64String(payload)}\n";
    }

    /// <summary>Parses a signed note without verifying it.</summary>
    /// <exception cref="LedgerException">The note is malformed.</exception>
    public static SignedNote Parse(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length > MaxLength)
        {
            throw new LedgerException($"the note is {bytes.Length} bytes, more than the {MaxLength} allowed.");
        }

        string note;
        try
        {
            note = new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(bytes);
        }
        catch (DecoderFallbackException ex)
        {
            throw new LedgerException("the note is not valid UTF-8.", ex);
        }

        if (note.Any(c => char.IsControl(c) && c != '\n'))
        {
            throw new LedgerException("the note holds a control character other than newline.");
        }

        var split = note.LastIndexOf("\n\n", StringComparison.Ordinal);
        if (split < 0 || !note.EndsWith('\n') || split + 2 == note.Length)
        {
            throw new LedgerException("the note has no signature block (a blank line followed by signature lines).");
        }

        var text = note[..(split + 1)];
        var lines = note[(split + 2)..^1].Split('\n');
        if (lines.Length > MaxSignatures)
        {
            throw new LedgerException($"the note has {lines.Length} signatures, more than the {MaxSignatures} allowed.");
        }

        var signatures = new List<NoteSignature>();
        foreach (var line in lines)
        {
            if (!line.StartsWith(SignaturePrefix, StringComparison.Ordinal))
            {
                throw new LedgerException("a signature line of the note does not start with an em dash and a space.");
            }

            var rest = line[SignaturePrefix.Length..];
            var space = rest.IndexOf(' ', StringComparison.Ordinal);
            if (space <= 0)
            {
                throw new LedgerException("a signature line of the note has no key name.");
            }

            byte[] payload;
            try
            {
                payload = Convert.FromBase64String(rest[(space + 1)..]);
            }
            catch (FormatException ex)
            {
                throw new LedgerException("a signature of the note is not valid base64.", ex);
            }

            if (payload.Length < 5)
            {
                throw new LedgerException("a signature of the note is too short.");
            }

            signatures.Add(new NoteSignature(rest[..space], BinaryPrimitives.ReadUInt32BigEndian(payload), payload[4..]));
        }

        return new SignedNote(text, signatures);
    }

    /// <summary>
    /// Verifies the note against trusted keys: signatures from unknown keys are ignored; a
    /// signature from a known key must verify; at least one must.
    /// </summary>
    /// <returns>The keys whose signatures verified.</returns>
    /// <exception cref="LedgerException">No trusted key signed the note, or a trusted key's signature is bad.</exception>
    public IReadOnlyList<NoteKey> Verify(IReadOnlyList<NoteKey> trusted)
    {
        ArgumentNullException.ThrowIfNull(trusted);
        var data = Encoding.UTF8.GetBytes(Text);
        var verified = new List<NoteKey>();
        foreach (var signature in Signatures)
        {
            var key = trusted.FirstOrDefault(k => k.Name == signature.Name && k.KeyId == signature.KeyId);
            if (key is null)
            {
                continue;
            }

            bool ok;
            try
            {
                ok = key.Key.VerifyData(data, signature.Signature, HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence);
            }
            catch (CryptographicException)
            {
                ok = false;
            }

            if (!ok)
            {
                throw new LedgerException($"the signature by {key.Name} ({key.KeyId:x8}) on the note does not verify; the note was altered or forged.");
            }

            if (!verified.Contains(key))
            {
                verified.Add(key);
            }
        }

        if (verified.Count == 0)
        {
            var names = string.Join(", ", trusted.Select(k => $"{k.Name} ({k.KeyId:x8})"));
            throw new LedgerException($"the note carries no signature by a trusted key (trusted: {names}).");
        }

        return verified;
    }

    private static void CheckText(string text)
    {
        if (!text.EndsWith('\n') || text.Contains("\n\n", StringComparison.Ordinal) || text.Any(c => char.IsControl(c) && c != '\n'))
        {
            throw new ArgumentException("note text must end in a newline and hold no blank lines or control characters.", nameof(text));
        }
    }
}
