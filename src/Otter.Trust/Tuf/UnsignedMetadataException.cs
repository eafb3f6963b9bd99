namespace Otter.Trust.Tuf;

/// <summary>Metadata lacks a threshold of valid signatures from the keys trusted for its role.</summary>
public sealed class UnsignedMetadataException : TufException
{
    /// <summary>Creates the exception.</summary>
    public UnsignedMetadataException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception.</summary>
    public UnsignedMetadataException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates the exception.</summary>
    public UnsignedMetadataException()
    {
    }
}
