namespace Otter.Trust.Tuf;

/// <summary>No trusted targets metadata lists the requested target.</summary>
public sealed class TargetNotFoundException : TufException
{
    /// <summary>Creates the exception.</summary>
    public TargetNotFoundException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception.</summary>
    public TargetNotFoundException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates the exception.</summary>
    public TargetNotFoundException()
    {
    }
}
