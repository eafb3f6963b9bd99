namespace Otter.Trust.Bundles;

/// <summary>A bundle or its boot manifest is malformed, or fails verification; nothing from it was trusted.</summary>
public sealed class BundleException : TrustException
{
    /// <summary>Creates the exception.</summary>
    public BundleException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception.</summary>
    public BundleException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates the exception.</summary>
    public BundleException()
    {
    }
}
