using System.Text.Json;
using Otter.Trust.Json;
using Otter.Trust.Keys;

namespace Otter.Trust.Attestation;

/// <summary>Signs and verifies attestation quotes.</summary>
public static class QuoteSigner
{
    /// <summary>Signs <paramref name="body"/> with the device key.</summary>
    public static AttestationQuote Sign(QuoteBody body, ISigner deviceKey)
    {
        ArgumentNullException.ThrowIfNull(deviceKey);
        var signature = deviceKey.Sign(Canonical(body));
        return new AttestationQuote
        {
            Quote = body,
            PublicKey = deviceKey.PublicKey.KeyValue.Public,
            KeyId = deviceKey.KeyId,
            Signature = Convert.ToHexStringLower(signature),
        };
    }

    /// <summary>Whether the quote's signature verifies under <paramref name="expectedKey"/>.</summary>
    public static bool Verify(AttestationQuote quote, TufKey expectedKey)
    {
        ArgumentNullException.ThrowIfNull(quote);
        return SignatureVerifier.Verify(expectedKey, Canonical(quote.Quote), quote.Signature);
    }

    private static byte[] Canonical(QuoteBody body) =>
        CanonicalJson.Serialize(JsonSerializer.SerializeToElement(body, AttestationJsonContext.Default.QuoteBody));
}
