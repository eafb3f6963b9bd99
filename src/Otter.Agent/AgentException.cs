using Otter.Trust;

namespace Otter.Agent;

/// <summary>The agent refused or could not complete an operation; the message says why. The active slot was not touched.</summary>
public sealed class AgentException : TrustException
{
    /// <summary>Creates the exception.</summary>
    public AgentException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception.</summary>
    public AgentException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates the exception.</summary>
    public AgentException()
    {
    }
}
