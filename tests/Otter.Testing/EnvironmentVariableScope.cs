namespace Otter.Testing;

/// <summary>
/// Sets (or clears) a .NET environment variable and restores the old value on dispose. The
/// variable is process-wide: use it only in tests that do not run in parallel with tests
/// reading the same variable (put them in one non-parallel collection).
/// </summary>
public sealed class EnvironmentVariableScope : IDisposable
{
    private readonly string _name;
    private readonly string? _previous;

    /// <summary>Sets <paramref name="name"/> to <paramref name="value"/> (null clears it).</summary>
    public EnvironmentVariableScope(string name, string? value)
    {
        _name = name;
        _previous = Environment.GetEnvironmentVariable(name);
        Environment.SetEnvironmentVariable(name, value);
    }

    /// <inheritdoc />
    public void Dispose() => Environment.SetEnvironmentVariable(_name, _previous);
}
