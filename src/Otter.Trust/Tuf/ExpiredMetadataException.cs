namespace Otter.Trust.Tuf;

/// <summary>Metadata has expired (a freeze attack, or a repository that needs refreshing).</summary>
public sealed class ExpiredMetadataException : TufException
{
    /// <summary>Creates the exception.</summary>
    public ExpiredMetadataException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception.</summary>
    public ExpiredMetadataException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates the exception.</summary>
    public ExpiredMetadataException()
    {
    }
}
