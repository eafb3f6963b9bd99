namespace Otter.Server.Setup;

/// <summary>The data directory or the server's settings cannot be used; the message says what to do.</summary>
public sealed class ServerSetupException : Exception
{
    /// <summary>Creates the exception.</summary>
    public ServerSetupException()
    {
    }

    /// <summary>Creates the exception.</summary>
    public ServerSetupException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception.</summary>
    public ServerSetupException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
