using System.Runtime.Versioning;
using System.Security.Cryptography;

namespace Otter.Trust.Keys;

/// <summary>
/// Keys inside PKCS#11 tokens, reached through OpenSSL's pkcs11 engine (libp11). The private
/// key stays in the token: OpenSSL asks the token to sign and .NET never sees the key bytes.
/// </summary>
internal static class Pkcs11Keys
{
    public static ISigner OpenSigner(string uri)
    {
        if (OperatingSystem.IsWindows())
        {
            throw new KeyException("pkcs11: keys need OpenSSL's pkcs11 engine, which Otter supports on Linux.");
        }

        return OpenWithEngine(uri);
    }

    [UnsupportedOSPlatform("windows")]
    private static EcdsaSigner OpenWithEngine(string uri)
    {
        SafeEvpPKeyHandle handle;
        try
        {
            handle = SafeEvpPKeyHandle.OpenPrivateKeyFromEngine("pkcs11", uri);
        }
        catch (CryptographicException ex)
        {
            throw new KeyException($"cannot open {uri}: {ex.Message}. Check that libengine-pkcs11-openssl is installed, the token and object exist and the PIN is right.", ex);
        }

        using (handle)
        {
            return new EcdsaSigner(new ECDsaOpenSsl(handle), uri);
        }
    }
}
