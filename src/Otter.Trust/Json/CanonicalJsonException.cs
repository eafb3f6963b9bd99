namespace Otter.Trust.Json;

/// <summary>The JSON cannot be put in canonical form (for example it holds a floating-point number).</summary>
public sealed class CanonicalJsonException : TrustException
{
    /// <summary>Creates the exception.</summary>
    public CanonicalJsonException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception.</summary>
    public CanonicalJsonException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates the exception.</summary>
    public CanonicalJsonException()
    {
    }
}
