namespace Otter.Trust.Keys;

/// <summary>A key could not be read, decrypted, opened or used; the message says which and what to do.</summary>
public sealed class KeyException : TrustException
{
    /// <summary>Creates the exception.</summary>
    public KeyException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception.</summary>
    public KeyException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates the exception.</summary>
    public KeyException()
    {
    }
}
