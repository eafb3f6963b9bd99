namespace Otter.Trust.Tuf;

/// <summary>Downloaded bytes do not match the length or hash the metadata promised.</summary>
public sealed class LengthOrHashMismatchException : TufException
{
    /// <summary>Creates the exception.</summary>
    public LengthOrHashMismatchException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception.</summary>
    public LengthOrHashMismatchException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates the exception.</summary>
    public LengthOrHashMismatchException()
    {
    }
}
