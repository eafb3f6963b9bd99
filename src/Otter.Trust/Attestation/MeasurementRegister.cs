using System.Security.Cryptography;

namespace Otter.Trust.Attestation;

/// <summary>A TPM-PCR-like register: starts at 32 zero bytes; extending with h sets it to SHA-256(register || h).</summary>
public sealed class MeasurementRegister
{
    private byte[] _value = new byte[32];

    /// <summary>The current value.</summary>
    public ReadOnlySpan<byte> Value => _value;

    /// <summary>Extends the register with <paramref name="measurement"/>.</summary>
    public void Extend(ReadOnlySpan<byte> measurement)
    {
        Span<byte> buffer = stackalloc byte[32 + measurement.Length];
        _value.CopyTo(buffer);
        measurement.CopyTo(buffer[32..]);
        _value = SHA256.HashData(buffer);
    }

    /// <summary>The value as lower-case hex.</summary>
    public override string ToString() => Convert.ToHexStringLower(_value);
}
