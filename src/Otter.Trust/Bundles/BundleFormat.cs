namespace Otter.Trust.Bundles;

/// <summary>
/// The bundle file: <c>OTTERBD1</c> (8 bytes), the manifest document's length (big-endian
/// uint32), the signed boot manifest, then every stage's bytes in manifest order. The manifest
/// comes first so a device can refuse a bundle before writing a byte of it.
/// </summary>
public static class BundleFormat
{
    /// <summary>The magic bytes at the start of every bundle.</summary>
    public static ReadOnlySpan<byte> Magic => "OTTERBD1"u8;

    /// <summary>Bytes before the manifest document.</summary>
    public const int HeaderLength = 12;

    /// <summary>Largest stage (and largest sum of stages): 64 GiB.</summary>
    public const long MaxStageLength = 64L * 1024 * 1024 * 1024;
}
