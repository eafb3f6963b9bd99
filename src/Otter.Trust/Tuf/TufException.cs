namespace Otter.Trust.Tuf;

/// <summary>Repository metadata or a target failed verification; nothing from it was trusted or installed.</summary>
public class TufException : TrustException
{
    /// <summary>Creates the exception.</summary>
    public TufException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception.</summary>
    public TufException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates the exception.</summary>
    public TufException()
    {
    }
}
