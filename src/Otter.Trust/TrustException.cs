namespace Otter.Trust;

/// <summary>
/// Base of every error the trust core raises on purpose. Its message is meant for the
/// operator: it names the file or field at fault and says what to do.
/// </summary>
public class TrustException : Exception
{
    /// <summary>Creates the exception with an operator-facing message.</summary>
    public TrustException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with an operator-facing message and its cause.</summary>
    public TrustException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates the exception with a generic message.</summary>
    public TrustException()
    {
    }
}
