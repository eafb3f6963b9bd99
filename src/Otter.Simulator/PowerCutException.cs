namespace Otter.Simulator;

/// <summary>The simulated device lost power: the write that threw did not (fully) happen, and nothing more is written until power returns.</summary>
public sealed class PowerCutException : IOException
{
    /// <summary>A power cut at <paramref name="operation"/>.</summary>
    public PowerCutException(string operation)
        : base($"power cut at {operation}")
    {
    }

    /// <summary>A power cut.</summary>
    public PowerCutException()
        : base("power cut")
    {
    }

    /// <summary>A power cut with an inner exception.</summary>
    public PowerCutException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
