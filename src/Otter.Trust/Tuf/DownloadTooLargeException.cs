namespace Otter.Trust.Tuf;

/// <summary>A download went past the length allowed for it (the endless-data attack).</summary>
public sealed class DownloadTooLargeException : TufException
{
    /// <summary>Creates the exception.</summary>
    public DownloadTooLargeException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception.</summary>
    public DownloadTooLargeException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates the exception.</summary>
    public DownloadTooLargeException()
    {
    }
}
