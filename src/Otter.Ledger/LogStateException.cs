namespace Otter.Ledger;

/// <summary>
/// The log cannot be used as asked (not created, wrong key, damaged storage, bad input to an
/// append); nothing was written.
/// </summary>
public sealed class LogStateException : Otter.Trust.TrustException
{
    /// <summary>Creates the exception.</summary>
    public LogStateException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception.</summary>
    public LogStateException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates the exception.</summary>
    public LogStateException()
    {
    }
}
