using Xunit;

namespace Otter.Testing;

/// <summary>A fact that needs PostgreSQL: skipped with the reason locally, failed under CI=true.</summary>
public sealed class RequiresPostgresFactAttribute : FactAttribute
{
    /// <summary>Checks the requirement.</summary>
    public RequiresPostgresFactAttribute() => Skip = TestRequirements.SkipReason(PostgresRequirement.Missing());
}
