using System.Security.Cryptography;
using System.Text;

namespace Otter.Trust.Keys;

/// <summary>
/// Otter key files: an encrypted PKCS#8 private key (AES-256-CBC, PBKDF2-SHA256) followed by
/// the public key in clear, so that key ids and public keys can be read without the passphrase.
/// A file with only a <c>PUBLIC KEY</c> block stands for a key whose private half is elsewhere.
/// </summary>
public static class KeyFile
{
    /// <summary>Largest key file read; real ones are under 1 KiB.</summary>
    public const int MaxLength = 64 * 1024;

    /// <summary>PBKDF2 iterations for new key files (OWASP's figure for PBKDF2-HMAC-SHA256).</summary>
    public const int Pbkdf2Iterations = 600_000;

    private const string EncryptedLabel = "ENCRYPTED PRIVATE KEY";
    private const string PublicLabel = "PUBLIC KEY";

    /// <summary>The PEM text of a new key file for <paramref name="key"/>.</summary>
    public static string Export(ECDsa key, string passphrase, int iterations = Pbkdf2Iterations)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentException.ThrowIfNullOrEmpty(passphrase);
        var parameters = new PbeParameters(PbeEncryptionAlgorithm.Aes256Cbc, HashAlgorithmName.SHA256, iterations);
        var privatePem = key.ExportEncryptedPkcs8PrivateKeyPem(passphrase.AsSpan(), parameters);
        return privatePem.ReplaceLineEndings("\n") + "\n" + EcdsaP256.ExportPublicPem(key);
    }

    /// <summary>Writes a new key file; refuses to overwrite an existing file.</summary>
    /// <exception cref="KeyException">The file exists or cannot be written.</exception>
    public static void Write(string path, ECDsa key, string passphrase, int iterations = Pbkdf2Iterations)
    {
        ArgumentNullException.ThrowIfNull(path);
        var text = Export(key, passphrase, iterations);
        try
        {
            var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
            if (!OperatingSystem.IsWindows())
            {
                options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
            }

            using var stream = new FileStream(path, options);
            stream.Write(Encoding.ASCII.GetBytes(text));
            stream.Flush(flushToDisk: true);
        }
        catch (IOException ex) when (File.Exists(path))
        {
            throw new KeyException($"{path} already exists; Otter does not overwrite keys. Choose another --out path.", ex);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new KeyException($"cannot write {path}: {ex.Message}", ex);
        }
    }

    /// <summary>Reads a key file's text, refusing missing, huge or binary files with a clear message.</summary>
    internal static string ReadText(string path)
    {
        try
        {
            var info = new FileInfo(path);
            if (!info.Exists)
            {
                throw new KeyException($"key file {path} does not exist; give a key file (see `otter keys generate`) or a pkcs11: URI.");
            }

            if (info.Length > MaxLength)
            {
                throw new KeyException($"{path} is {info.Length} bytes, too large to be a key file (limit {MaxLength}).");
            }

            return File.ReadAllText(path, Encoding.ASCII);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new KeyException($"cannot read key file {path}: {ex.Message}", ex);
        }
    }

    /// <summary>Reads the public key of a key file without decrypting it when a public block is present.</summary>
    /// <returns>The public key, or null when the file holds only an encrypted private key.</returns>
    internal static ECDsa? ReadPublic(string path, string text)
    {
        var blocks = FindBlocks(text);
        CheckLabels(path, blocks);
        if (!blocks.TryGetValue(PublicLabel, out var publicPem))
        {
            return null;
        }

        return EcdsaP256.TryImportPublic(publicPem)
            ?? throw new KeyException($"{path} holds a public key that is not ECDSA P-256; Otter keys are P-256 (create one with `otter keys generate`).");
    }

    /// <summary>Whether the file has a private key block.</summary>
    internal static bool HasPrivate(string text) => FindBlocks(text).ContainsKey(EncryptedLabel);

    /// <summary>Decrypts the private key of a key file.</summary>
    internal static ECDsa ReadPrivate(string path, string text, IPassphraseSource passphrases)
    {
        var blocks = FindBlocks(text);
        CheckLabels(path, blocks);
        if (!blocks.TryGetValue(EncryptedLabel, out var encryptedPem))
        {
            throw new KeyException($"{path} holds only a public key; this step needs the private key (a key file from `otter keys generate` or a pkcs11: URI).");
        }

        var passphrase = passphrases.GetPassphrase(path, confirm: false);
        var key = ECDsa.Create();
        try
        {
            key.ImportFromEncryptedPem(encryptedPem, passphrase);
        }
        catch (CryptographicException ex)
        {
            key.Dispose();
            throw new KeyException($"cannot decrypt {path}: wrong passphrase, or not an EC key (check OTTER_KEY_PASSPHRASE).", ex);
        }
        catch (ArgumentException ex)
        {
            key.Dispose();
            throw new KeyException($"{path} holds a private key Otter cannot read: {ex.Message}", ex);
        }

        if (!EcdsaP256.IsP256(key))
        {
            key.Dispose();
            throw new KeyException($"{path} is not an ECDSA P-256 key; Otter keys are P-256 (create one with `otter keys generate`).");
        }

        if (blocks.TryGetValue(PublicLabel, out var publicPem))
        {
            using var stated = EcdsaP256.TryImportPublic(publicPem);
            if (stated is null || !stated.ExportSubjectPublicKeyInfo().AsSpan().SequenceEqual(key.ExportSubjectPublicKeyInfo()))
            {
                key.Dispose();
                throw new KeyException($"{path} has a public key block that does not belong to its private key; the file was altered. Restore it from a backup.");
            }
        }

        return key;
    }

    private static void CheckLabels(string path, Dictionary<string, string> blocks)
    {
        if (blocks.ContainsKey("PRIVATE KEY") || blocks.ContainsKey("EC PRIVATE KEY"))
        {
            throw new KeyException($"{path} holds an unencrypted private key; Otter only uses encrypted key files. Encrypt it with `openssl pkcs8 -topk8 -v2 aes-256-cbc` or create one with `otter keys generate`.");
        }

        if (blocks.ContainsKey("RSA PRIVATE KEY") || blocks.ContainsKey("OPENSSH PRIVATE KEY"))
        {
            throw new KeyException($"{path} holds an RSA or OpenSSH key; Otter keys are ECDSA P-256 (create one with `otter keys generate`).");
        }

        if (!blocks.ContainsKey(EncryptedLabel) && !blocks.ContainsKey(PublicLabel))
        {
            throw new KeyException($"{path} holds no PEM key; give a key file made by `otter keys generate` or a pkcs11: URI.");
        }
    }

    private static Dictionary<string, string> FindBlocks(string text)
    {
        var blocks = new Dictionary<string, string>(StringComparer.Ordinal);
        var rest = text.AsSpan();
        var offset = 0;
        while (PemEncoding.TryFind(rest, out var fields))
        {
            var label = rest[fields.Label].ToString();
            blocks.TryAdd(label, rest[fields.Location].ToString());
            offset += fields.Location.End.Value;
            rest = text.AsSpan(offset);
        }

        return blocks;
    }
}
