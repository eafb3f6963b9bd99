namespace Otter.Trust.Tuf;

/// <summary>
/// A parsed TUF metadata file: its <c>signed</c> object, its signatures, and the canonical
/// bytes of <c>signed</c> exactly as received (unknown fields included), which is what the
/// signatures are checked against.
/// </summary>
/// <typeparam name="T">The role's metadata type.</typeparam>
public sealed class Metadata<T>
    where T : SignedMetadata
{
    internal Metadata(T signed, IReadOnlyList<TufSignature> signatures, ReadOnlyMemory<byte> canonicalSigned)
    {
        Signed = signed;
        Signatures = signatures;
        CanonicalSigned = canonicalSigned;
    }

    /// <summary>The signed content.</summary>
    public T Signed { get; }

    /// <summary>The signatures over <see cref="CanonicalSigned"/>.</summary>
    public IReadOnlyList<TufSignature> Signatures { get; }

    /// <summary>The canonical JSON bytes of the <c>signed</c> object.</summary>
    public ReadOnlyMemory<byte> CanonicalSigned { get; }
}
