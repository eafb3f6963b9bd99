namespace Otter.Ledger.Merkle;

/// <summary>An inclusion or consistency proof does not verify.</summary>
public sealed class ProofException : LedgerException
{
    /// <summary>Creates the exception.</summary>
    public ProofException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception.</summary>
    public ProofException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates the exception.</summary>
    public ProofException()
    {
    }
}
