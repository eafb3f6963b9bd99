namespace Otter.Trust.Tuf.Client;

/// <summary>A verified metadata file together with the exact bytes it was read from.</summary>
/// <typeparam name="T">The role's metadata type.</typeparam>
internal sealed class TrustedFile<T>(Metadata<T> metadata, byte[] bytes)
    where T : SignedMetadata
{
    public Metadata<T> Metadata { get; } = metadata;

    public T Signed => Metadata.Signed;

    public byte[] Bytes { get; } = bytes;
}
