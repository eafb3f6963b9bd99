using System.Security.Cryptography;
using Otter.Trust.Attestation;

namespace Otter.Trust.Tests.Attestation;

/// <summary>The PCR-like register: SHA-256(register || measurement), from 32 zero bytes.</summary>
public sealed class MeasurementRegisterTests
{
    [Fact]
    public void Extend_TwoMeasurements_IsTheSha256Chain()
    {
        var first = SHA256.HashData("fsbl"u8);
        var second = SHA256.HashData("ssbl"u8);
        var register = new MeasurementRegister();

        register.Extend(first);
        register.Extend(second);

        var expected = SHA256.HashData([.. SHA256.HashData([.. new byte[32], .. first]), .. second]);
        Assert.Equal(Convert.ToHexStringLower(expected), register.ToString());
        Assert.Equal(expected, register.Value.ToArray());
    }

    [Fact]
    public void Extend_SameMeasurementsInAnotherOrder_DiffersFromTheOriginal()
    {
        var a = new MeasurementRegister();
        var b = new MeasurementRegister();

        a.Extend("x"u8);
        a.Extend("y"u8);
        b.Extend("y"u8);
        b.Extend("x"u8);

        Assert.NotEqual(a.ToString(), b.ToString());
        Assert.Equal(new string('0', 64), new MeasurementRegister().ToString());
    }
}
