using Xunit;

namespace Otter.Testing;

/// <summary>A fact that needs the named executables on PATH (skipped locally without them, fails under CI).</summary>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false)]
public sealed class RequiresExecutablesFactAttribute : FactAttribute
{
    /// <summary>Creates the attribute.</summary>
    public RequiresExecutablesFactAttribute(params string[] executables)
    {
        Executables = executables;
        Skip = TestRequirements.SkipReason(TestRequirements.MissingExecutables(executables));
    }

    /// <summary>The executables the test needs.</summary>
    public IReadOnlyList<string> Executables { get; }
}
