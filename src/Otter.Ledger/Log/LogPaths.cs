namespace Otter.Ledger.Log;

/// <summary>Files of an Otter log besides the tiles and the checkpoint.</summary>
public static class LogPaths
{
    /// <summary>Origin and public key.</summary>
    public const string Config = "log.json";

    /// <summary>Leaf hash to index lookup: 40-byte records (hash, big-endian index) in log order.</summary>
    public const string LeafIndex = "leaf-index";

    /// <summary>Bytes per leaf index record.</summary>
    public const int LeafIndexRecord = 40;
}
