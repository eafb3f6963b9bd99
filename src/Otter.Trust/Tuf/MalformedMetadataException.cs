namespace Otter.Trust.Tuf;

/// <summary>Metadata is not valid JSON or not valid TUF metadata.</summary>
public sealed class MalformedMetadataException : TufException
{
    /// <summary>Creates the exception.</summary>
    public MalformedMetadataException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception.</summary>
    public MalformedMetadataException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates the exception.</summary>
    public MalformedMetadataException()
    {
    }
}
