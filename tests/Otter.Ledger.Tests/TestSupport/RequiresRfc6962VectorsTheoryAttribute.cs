namespace Otter.Ledger.Tests.TestSupport;

/// <summary>A theory that needs the shared RFC 6962 vectors: skipped locally without them, failing under CI.</summary>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false)]
public sealed class RequiresRfc6962VectorsTheoryAttribute : TheoryAttribute
{
    /// <summary>Creates the attribute.</summary>
    public RequiresRfc6962VectorsTheoryAttribute()
    {
        Skip = Rfc6962Vectors.SkipReason;
    }
}
