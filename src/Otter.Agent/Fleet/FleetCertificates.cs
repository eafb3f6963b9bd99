using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Otter.Agent.Fleet;

/// <summary>PEM certificates as the fleet code reads and writes them.</summary>
internal static class FleetCertificates
{
    private const string CommonNameOid = "2.5.4.3";

    /// <summary>Every certificate in <paramref name="pem"/>, in order.</summary>
    /// <exception cref="AgentException">There is none, or one does not parse; <paramref name="what"/> names the input in the message.</exception>
    public static X509Certificate2Collection Parse(string pem, string what)
    {
        var certificates = new X509Certificate2Collection();
        try
        {
            certificates.ImportFromPem(pem);
        }
        catch (CryptographicException ex)
        {
            throw new AgentException($"{what} holds a certificate that cannot be read ({ex.Message}); give a PEM certificate (-----BEGIN CERTIFICATE-----).", ex);
        }

        return certificates.Count > 0
            ? certificates
            : throw new AgentException($"{what} holds no PEM certificate (-----BEGIN CERTIFICATE-----).");
    }

    /// <summary>The first certificate in <paramref name="pem"/> (the leaf of a chain).</summary>
    /// <exception cref="AgentException">There is none, or one does not parse.</exception>
    public static X509Certificate2 ParseLeaf(string pem, string what)
    {
        var certificates = Parse(pem, what);
        foreach (var rest in certificates.Skip(1))
        {
            rest.Dispose();
        }

        return certificates[0];
    }

    /// <summary>The certificates of <paramref name="pem"/> re-encoded, one block each with Unix line endings: only certificates are kept.</summary>
    /// <exception cref="AgentException">There is none, or one does not parse.</exception>
    public static string Normalize(string pem, string what)
    {
        var certificates = Parse(pem, what);
        try
        {
            return string.Concat(certificates.Select(c => c.ExportCertificatePem().ReplaceLineEndings("\n") + "\n"));
        }
        finally
        {
            foreach (var certificate in certificates)
            {
                certificate.Dispose();
            }
        }
    }

    /// <summary>The subject's single common name, or null when it has none or several.</summary>
    public static string? CommonName(X509Certificate2 certificate)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        string? found = null;
        foreach (var rdn in certificate.SubjectName.EnumerateRelativeDistinguishedNames())
        {
            if (!rdn.HasMultipleElements && rdn.GetSingleElementType().Value == CommonNameOid)
            {
                if (found is not null)
                {
                    return null;
                }

                found = rdn.GetSingleElementValue();
            }
        }

        return found;
    }

    /// <summary>A subject of just <c>CN=<paramref name="commonName"/></c>, escaped as X.500 needs.</summary>
    public static X500DistinguishedName Subject(string commonName)
    {
        var builder = new X500DistinguishedNameBuilder();
        builder.AddCommonName(commonName);
        return builder.Build();
    }

    /// <summary>Whether the certificate is for <paramref name="publicKeySpki"/> (DER SubjectPublicKeyInfo).</summary>
    public static bool HasPublicKey(X509Certificate2 certificate, ReadOnlySpan<byte> publicKeySpki)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        return certificate.PublicKey.ExportSubjectPublicKeyInfo().AsSpan().SequenceEqual(publicKeySpki);
    }
}
