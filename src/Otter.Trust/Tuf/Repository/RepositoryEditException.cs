namespace Otter.Trust.Tuf.Repository;

/// <summary>
/// A repository change was refused (bad input, wrong or expired key, damaged repository);
/// nothing was written.
/// </summary>
public sealed class RepositoryEditException : TrustException
{
    /// <summary>Creates the exception.</summary>
    public RepositoryEditException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception.</summary>
    public RepositoryEditException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates the exception.</summary>
    public RepositoryEditException()
    {
    }
}
