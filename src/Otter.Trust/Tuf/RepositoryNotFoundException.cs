namespace Otter.Trust.Tuf;

/// <summary>The repository does not have the requested metadata or target file.</summary>
public sealed class RepositoryNotFoundException : TufException
{
    /// <summary>Creates the exception.</summary>
    public RepositoryNotFoundException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception.</summary>
    public RepositoryNotFoundException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates the exception.</summary>
    public RepositoryNotFoundException()
    {
    }
}
