namespace Otter.Trust.Tuf;

/// <summary>Metadata has a lower version than already trusted, or a version other than the one expected.</summary>
public sealed class RollbackException : TufException
{
    /// <summary>Creates the exception.</summary>
    public RollbackException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception.</summary>
    public RollbackException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates the exception.</summary>
    public RollbackException()
    {
    }
}
