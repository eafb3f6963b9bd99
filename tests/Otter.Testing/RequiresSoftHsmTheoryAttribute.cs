using Xunit;

namespace Otter.Testing;

/// <summary>A theory that needs SoftHSM2 and OpenSSL's pkcs11 engine (skipped locally without them, fails under CI).</summary>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false)]
public sealed class RequiresSoftHsmTheoryAttribute : TheoryAttribute
{
    /// <summary>Creates the attribute.</summary>
    public RequiresSoftHsmTheoryAttribute()
    {
        Skip = TestRequirements.SkipReason(SoftHsmRequirement.MissingReason);
    }
}
