namespace Otter.Cli.Tests.TestSupport;

/// <summary>
/// A fact that needs Node.js and the packages of <c>tests/interop/tuf-js</c>. Where either is
/// missing the test is skipped with the reason, except when the environment variable
/// <c>CI</c> is <c>true</c>: there the test runs and fails, so a CI machine without the
/// component cannot pass by skipping. (xUnit 2 has no dynamic skip, hence the attribute.)
/// </summary>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false)]
internal sealed class RequiresNodeInteropFactAttribute : FactAttribute
{
    public RequiresNodeInteropFactAttribute()
    {
        if (string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.Ordinal))
        {
            return;
        }

        if (NodeInterop.MissingComponent() is { } missing)
        {
            Skip = missing;
        }
    }
}
