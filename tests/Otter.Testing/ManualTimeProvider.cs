namespace Otter.Testing;

/// <summary>A clock the test sets or moves by hand.</summary>
public sealed class ManualTimeProvider(DateTimeOffset start) : TimeProvider
{
    /// <summary>The current time.</summary>
    public DateTimeOffset Now { get; set; } = start;

    /// <inheritdoc />
    public override DateTimeOffset GetUtcNow() => Now;

    /// <summary>Moves the clock forward.</summary>
    public void Advance(TimeSpan by) => Now += by;

    /// <summary>Sets the clock.</summary>
    public void SetUtcNow(DateTimeOffset value) => Now = value;
}
