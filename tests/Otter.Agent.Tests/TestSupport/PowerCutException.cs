namespace Otter.Agent.Tests.TestSupport;

/// <summary>The simulated power cut: thrown by <see cref="PowerCutStorage"/> at and after the chosen operation.</summary>
internal sealed class PowerCutException : Exception
{
    public PowerCutException()
        : base("power cut")
    {
    }

    public PowerCutException(string message)
        : base(message)
    {
    }

    public PowerCutException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
