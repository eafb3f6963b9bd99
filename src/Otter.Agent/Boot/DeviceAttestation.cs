using System.Security.Cryptography;
using Otter.Agent.Platform;
using Otter.Trust.Attestation;

namespace Otter.Agent.Boot;

/// <summary>Attestation quotes over a verifier's nonce: what booted, measured how, signed by the device key.</summary>
public static class DeviceAttestation
{
    /// <summary>Whether <paramref name="nonce"/> is a usable challenge: 8 to 64 bytes of hex.</summary>
    public static bool IsValidNonce(string? nonce) =>
        nonce is { Length: >= 16 and <= 128 } && nonce.Length % 2 == 0 && nonce.All(char.IsAsciiHexDigit);

    /// <summary>
    /// A quote over <paramref name="nonce"/>, or null when the device has not booted a verified image.
    /// The measurement is taken now from what the booted slot holds on disk (see <see cref="MeasureNow"/>),
    /// not copied from the last boot, so an image altered behind the agent's back shows at the next quote.
    /// </summary>
    /// <exception cref="ArgumentException">The nonce is not 8 to 64 bytes of hex.</exception>
    public static AttestationQuote? TryQuote(IDevicePlatform platform, string nonce)
    {
        ArgumentNullException.ThrowIfNull(platform);
        if (!IsValidNonce(nonce))
        {
            throw new ArgumentException("the nonce must be 8 to 64 bytes of hex (16 to 128 hex digits).", nameof(nonce));
        }

        var control = platform.ReadBootControl();
        if (control.Booted is not { } slot || control.Measurement is null || platform.ReadManifest(slot) is not { } manifest)
        {
            return null;
        }

        using var key = platform.OpenDeviceKey();
        return QuoteSigner.Sign(
            new QuoteBody
            {
                DeviceId = platform.Identity.Id,
                Nonce = nonce.ToLowerInvariant(),
                Measurement = MeasureNow(platform, slot),
                ManifestSha256 = Convert.ToHexStringLower(SHA256.HashData(manifest)),
                Slot = slot,
                Version = control.Slots[slot].Version ?? "unknown",
                SecurityCounter = control.SecurityCounter,
            },
            key);
    }

    /// <summary>
    /// The measurement register of <paramref name="slot"/> as its files are now: the boot chain's
    /// measurement (manifest, then each stage) computed afresh. A stage that no longer matches its
    /// signed hash stops the chain there, so the register differs from the one expected for the
    /// release. The anti-rollback check is left out: it judges the device, not what the slot holds.
    /// </summary>
    public static string MeasureNow(IDevicePlatform platform, string slot) =>
        BootChainVerifier.Verify(platform, slot, deviceSecurityCounter: 0).Measurement;

    /// <summary>A quote over <paramref name="nonce"/>.</summary>
    /// <exception cref="AgentException">The device has not booted a verified image, or the booted slot has no manifest.</exception>
    public static AttestationQuote Quote(IDevicePlatform platform, string nonce)
    {
        ArgumentNullException.ThrowIfNull(platform);
        var control = platform.ReadBootControl();
        if (control.Booted is not { } slot || control.Measurement is null)
        {
            throw new AgentException("the device has not booted a verified image; there is nothing to attest.");
        }

        return TryQuote(platform, nonce) ?? throw new AgentException($"slot {slot} has no boot manifest.");
    }
}
