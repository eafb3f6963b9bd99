namespace Otter.Agent.Cli;

/// <summary>The command line or its input is wrong; the message says how to fix it.</summary>
internal sealed class UsageException : Exception
{
    public UsageException(string message)
        : base(message)
    {
    }

    public UsageException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
