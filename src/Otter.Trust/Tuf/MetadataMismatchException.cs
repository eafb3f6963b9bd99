namespace Otter.Trust.Tuf;

/// <summary>Metadata does not match what its parent metadata says (mix-and-match).</summary>
public sealed class MetadataMismatchException : TufException
{
    /// <summary>Creates the exception.</summary>
    public MetadataMismatchException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception.</summary>
    public MetadataMismatchException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates the exception.</summary>
    public MetadataMismatchException()
    {
    }
}
