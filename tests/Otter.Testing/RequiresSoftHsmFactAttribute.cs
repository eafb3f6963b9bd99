using Xunit;

namespace Otter.Testing;

/// <summary>A fact that needs SoftHSM2 and OpenSSL's pkcs11 engine (skipped locally without them, fails under CI).</summary>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false)]
public sealed class RequiresSoftHsmFactAttribute : FactAttribute
{
    /// <summary>Creates the attribute.</summary>
    public RequiresSoftHsmFactAttribute()
    {
        Skip = TestRequirements.SkipReason(SoftHsmRequirement.MissingReason);
    }
}
