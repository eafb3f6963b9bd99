using Otter.Trust;

namespace Otter.Ledger;

/// <summary>
/// A proof, checkpoint, tile or log failed verification or is malformed; the message says
/// which and why. Nothing it concerned was trusted.
/// </summary>
public class LedgerException : TrustException
{
    /// <summary>Creates the exception.</summary>
    public LedgerException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception.</summary>
    public LedgerException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates the exception.</summary>
    public LedgerException()
    {
    }
}
