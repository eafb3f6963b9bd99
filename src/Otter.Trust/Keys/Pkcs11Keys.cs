using System.Runtime.Versioning;
using System.Security.Cryptography;

namespace Otter.Trust.Keys;

/// <summary>
/// Keys inside PKCS#11 tokens, reached through OpenSSL's pkcs11 engine (libp11). The private
/// key stays in the token: OpenSSL asks the token to sign and .NET never sees the key bytes.
/// </summary>
/// <remarks>
/// <para>
/// <b>URIs</b> (RFC 7512, as libp11 reads them): <c>pkcs11:token=fleet;object=targets;type=private</c>,
/// optionally with <c>id=%01</c> instead of or besides <c>object=</c>, <c>serial=</c>,
/// <c>model=</c> or <c>manufacturer=</c> to pick among tokens with one label, and a PIN as
/// <c>?pin-value=1234</c> (percent-encoded) or <c>?pin-source=/path/to/pin-file</c> (its first
/// line; Otter reads it, so a trailing newline is fine). Labels are
/// percent-encoded (<c>token=my%20token</c>). See <see cref="Pkcs11Uri"/> for what is refused.
/// </para>
/// <para>
/// <b>PIN</b>: <c>pin-value</c> or <c>pin-source</c> in the URI, else the environment variable
/// <see cref="PinVariable"/>. Otter does not let the engine prompt (it would block a service or a
/// CI job reading stdin), so a URI without a PIN and no variable is refused before the token is
/// touched. The PIN reaches the engine as <c>pin-source=/proc/self/fd/N</c>, an in-memory file
/// (<see cref="Pkcs11PinFile"/>), not as <c>pin-value</c>, because libp11 prints the URI it was
/// given on stderr when a key is not found; only where no memfd can be made (or the PIN holds a
/// line break) is it passed as <c>pin-value</c>. Messages and <see cref="ISigner.Source"/> show
/// the URI without the PIN. A wrong PIN costs token retries: libp11 tries to log in twice per
/// open, and many tokens lock their PIN after a few failures.
/// </para>
/// <para>
/// <b>Which PKCS#11 module</b>: libp11 does not accept <c>module-path=</c> or
/// <c>module-name=</c> in URIs (it rejects the whole URI), so Otter refuses them with an
/// explanation. The engine loads the module named by the environment variable
/// <c>PKCS11_MODULE_PATH</c> when the process starts with it set (it is read with the C
/// <c>getenv</c>, so setting it from .NET after start-up has no effect), and otherwise its
/// built-in default, which on Debian and Ubuntu is <c>p11-kit-proxy.so</c>. p11-kit-proxy
/// offers the tokens of every module registered with p11-kit: packages register theirs in
/// <c>/usr/share/p11-kit/modules/*.module</c> (softhsm2, opensc-pkcs11 do); register another
/// with a file holding <c>module: /path/to/vendor-pkcs11.so</c> in
/// <c>/etc/pkcs11/modules/</c> or <c>~/.config/pkcs11/modules/</c>, then check with
/// <c>p11-kit list-modules</c>, which lists every token label. SoftHSM reads its token
/// directory from <c>SOFTHSM2_CONF</c> once per process, when the module is first loaded.
/// </para>
/// <para>
/// PKCS#11 logins belong to the process: once a token has been opened with the right PIN,
/// later opens of keys on that token in the same process succeed whatever PIN they give.
/// </para>
/// </remarks>
internal static class Pkcs11Keys
{
    /// <summary>The environment variable holding the token PIN when the URI has none.</summary>
    public const string PinVariable = "OTTER_PKCS11_PIN";

    /// <summary>The OpenSSL engine id of libp11.</summary>
    public const string EngineId = "pkcs11";

    private static readonly byte[] SelfTestMessage = "otter pkcs11 self-test"u8.ToArray();

    /// <summary>Opens the private key <paramref name="uri"/> names as a signer.</summary>
    /// <exception cref="KeyException">The URI, the engine, the token, the key or the PIN is at fault; the message says which to check.</exception>
    public static ISigner OpenSigner(string uri)
    {
        var parsed = Pkcs11Uri.Parse(uri);
        var key = OpenKey(parsed);
        try
        {
            return new EcdsaSigner(key, parsed.Display);
        }
        catch
        {
            key.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Opens the key as an <see cref="ECDsa"/> backed by the token: it signs and exports its
    /// public half; exporting the private half throws.
    /// </summary>
    internal static ECDsa OpenKey(Pkcs11Uri uri)
    {
        ArgumentNullException.ThrowIfNull(uri);
        if (!OperatingSystem.IsLinux())
        {
            throw new KeyException($"cannot open {uri.Display}: pkcs11: keys need OpenSSL's pkcs11 engine, which Otter supports on Linux.");
        }

        var (pin, pinOrigin) = ResolvePin(uri);
        var key = OpenWithEngine(uri, pin, pinOrigin);
        try
        {
            CheckKey(key, uri);
            return key;
        }
        catch
        {
            key.Dispose();
            throw;
        }
    }

    /// <summary>The one-line message for a failed engine load.</summary>
    internal static KeyException DescribeLoadFailure(Pkcs11Uri uri, string pin, string pinOrigin, Exception exception)
    {
        var said = Scrub(exception.Message, pin);
        // .NET says "OpenSSL ENGINE is not available on this platform." when its OpenSSL was
        // built without engines (or is a version that dropped them).
        if (exception is PlatformNotSupportedException
            || said.Contains("ENGINE is not available", StringComparison.Ordinal)
            || said.Contains("not supported", StringComparison.OrdinalIgnoreCase))
        {
            return new KeyException($"cannot open {uri.Display}: this system's OpenSSL has no engine support ({said}); pkcs11: keys need OpenSSL 3 with the pkcs11 engine (Debian/Ubuntu: libengine-pkcs11-openssl).", exception);
        }

        if (said.Contains("no such engine", StringComparison.OrdinalIgnoreCase)
            || said.Contains("dso", StringComparison.OrdinalIgnoreCase)
            || said.Contains("init failed", StringComparison.OrdinalIgnoreCase))
        {
            return new KeyException($"cannot open {uri.Display}: OpenSSL's pkcs11 engine is not available ({said}). Install libengine-pkcs11-openssl (Debian/Ubuntu) or openssl-pkcs11 (Fedora), or set OPENSSL_ENGINES to the directory holding pkcs11.so.", exception);
        }

        if (Environment.GetEnvironmentVariable("PKCS11_MODULE_PATH") is { Length: > 0 } module && !File.Exists(module))
        {
            return new KeyException($"cannot open {uri.Display}: PKCS11_MODULE_PATH names {module}, which does not exist; the engine loads that PKCS#11 module instead of p11-kit-proxy. Fix or unset PKCS11_MODULE_PATH. OpenSSL said: {said}", exception);
        }

        return new KeyException(
            $"cannot open {uri.Display}: no private key matched ({uri.Describe()}), or the token refused the PIN ({pinOrigin}). "
            + $"Check that the token is present under that label (`p11-kit list-modules` lists tokens; its PKCS#11 module must be registered with p11-kit or named by PKCS11_MODULE_PATH), "
            + $"that it holds a private key with that label or id (`pkcs11-tool --module <module> --login --list-objects`), and the PIN. OpenSSL said: {said}",
            exception);
    }

    private static (string Pin, string Origin) ResolvePin(Pkcs11Uri uri)
    {
        if (uri.PinValue is not null)
        {
            return (uri.PinValue, "PIN from pin-value in the URI");
        }

        if (uri.PinSourcePath is { } path)
        {
            return (ReadPinFile(uri, path), $"PIN from the pin-source file {path}");
        }

        var variable = Environment.GetEnvironmentVariable(PinVariable);
        if (!string.IsNullOrEmpty(variable))
        {
            return (variable, $"PIN from {PinVariable}");
        }

        throw new KeyException($"no PIN for {uri.Display}: set {PinVariable}, or add ?pin-value=<PIN> or ?pin-source=<file> to the URI. Otter does not prompt for token PINs.");
    }

    /// <summary>
    /// Reads a <c>pin-source</c> file: its first line, without the line break (libp11 0.4.12
    /// would keep a trailing newline as part of the PIN, so Otter reads the file itself).
    /// </summary>
    private static string ReadPinFile(Pkcs11Uri uri, string path)
    {
        const int maxLength = 1024;
        string text;
        try
        {
            var info = new FileInfo(path);
            if (!info.Exists)
            {
                throw new KeyException($"the PIN file {path} named by pin-source in {uri.Display} does not exist.");
            }

            if (info.Length > maxLength)
            {
                throw new KeyException($"the PIN file {path} named by pin-source in {uri.Display} is {info.Length} bytes; a PIN file holds just the PIN.");
            }

            text = File.ReadAllText(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new KeyException($"cannot read the PIN file {path} named by pin-source in {uri.Display}: {ex.Message}", ex);
        }

        var end = text.AsSpan().IndexOfAny('\r', '\n');
        var pin = end < 0 ? text : text[..end];
        return pin.Length > 0 ? pin : throw new KeyException($"the PIN file {path} named by pin-source in {uri.Display} is empty.");
    }

    [UnsupportedOSPlatform("windows")]
    private static ECDsaOpenSsl OpenWithEngine(Pkcs11Uri uri, string pin, string pinOrigin)
    {
        SafeEvpPKeyHandle handle;
        var pinFile = Pkcs11PinFile.TryCreate(pin);
        try
        {
            var engineUri = uri.ToEngineUri(pinFile?.Path, pinFile is null ? pin : null);
            handle = SafeEvpPKeyHandle.OpenPrivateKeyFromEngine(EngineId, engineUri);
        }
        catch (Exception ex) when (ex is CryptographicException or PlatformNotSupportedException)
        {
            throw DescribeLoadFailure(uri, pin, pinOrigin, ex);
        }
        finally
        {
            pinFile?.Dispose();
        }

        using (handle)
        {
            try
            {
                return new ECDsaOpenSsl(handle);
            }
            catch (CryptographicException ex)
            {
                throw new KeyException($"{uri.Display} is not an EC key (RSA?); Otter keys are ECDSA P-256: create one in the token with `pkcs11-tool --keypairgen --key-type EC:prime256v1 --usage-sign --label <label>`.", ex);
            }
        }
    }

    private static void CheckKey(ECDsa key, Pkcs11Uri uri)
    {
        if (!EcdsaP256.IsP256(key))
        {
            string curve;
            try
            {
                var parameters = key.ExportParameters(false).Curve;
                curve = parameters.Oid.FriendlyName ?? parameters.Oid.Value ?? "an unnamed curve";
            }
            catch (CryptographicException)
            {
                curve = "an unknown curve";
            }

            throw new KeyException($"{uri.Display} is an EC key on {curve}, not P-256; Otter keys are ECDSA P-256: create one in the token with `pkcs11-tool --keypairgen --key-type EC:prime256v1 --usage-sign --label <label>`.");
        }

        // One signature at open time: a key the token will not sign with (no CKA_SIGN, a
        // session lost) fails here with a clear message rather than halfway through a release,
        // and a token whose public object does not match its private key is caught before its
        // signatures are published under the wrong key id.
        byte[] signature;
        try
        {
            signature = key.SignData(SelfTestMessage, HashAlgorithmName.SHA256);
        }
        catch (CryptographicException ex)
        {
            throw new KeyException($"{uri.Display} was found but the token refused to sign with it ({ex.Message}); check that the key may sign (CKA_SIGN, pkcs11-tool --usage-sign).", ex);
        }

        if (!key.VerifyData(SelfTestMessage, signature, HashAlgorithmName.SHA256))
        {
            throw new KeyException($"{uri.Display}: the token's signature does not verify with the public key it reports; its private and public objects do not belong together. Fix the token's objects.");
        }
    }

    // OpenSSL's messages do not quote the URI; this is a guard, skipped for PINs so short that
    // they would match inside error codes.
    private static string Scrub(string message, string pin) =>
        pin.Length < 4 ? message : message.Replace(pin, "***", StringComparison.Ordinal);
}
