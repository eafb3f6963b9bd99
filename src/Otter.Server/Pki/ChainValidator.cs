using System.Security.Cryptography.X509Certificates;

namespace Otter.Server.Pki;

/// <summary>Checks a certificate against a fixed set of trust anchors only (never the system's roots).</summary>
internal static class ChainValidator
{
    /// <summary>Null when <paramref name="certificate"/> chains to one of <paramref name="anchors"/> at <paramref name="at"/>; otherwise why not.</summary>
    public static string? Check(X509Certificate2 certificate, X509Certificate2Collection anchors, IEnumerable<X509Certificate2> intermediates, DateTimeOffset at)
    {
        if (at < certificate.NotBefore.ToUniversalTime())
        {
            return $"the certificate is not valid before {certificate.NotBefore.ToUniversalTime():u}";
        }

        if (at > certificate.NotAfter.ToUniversalTime())
        {
            return $"the certificate expired at {certificate.NotAfter.ToUniversalTime():u}";
        }

        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(anchors);
        chain.ChainPolicy.ExtraStore.AddRange(intermediates.ToArray());
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.VerificationTime = at.UtcDateTime;
        chain.ChainPolicy.VerificationTimeIgnored = false;
        if (chain.Build(certificate))
        {
            return null;
        }

        var status = chain.ChainStatus.Select(s => s.StatusInformation.Trim()).Where(s => s.Length > 0).Distinct();
        return "the certificate does not chain to a trusted CA (" + string.Join("; ", status) + ")";
    }
}
