using Otter.Trust.Keys;

namespace Otter.Trust.Tests.Tuf.Client;

/// <summary>Signs with another signer's key but under a different key id (one key listed twice).</summary>
internal sealed class AliasSigner(ISigner inner, TufKey publicKey, string keyId) : ISigner
{
    public TufKey PublicKey { get; } = publicKey;

    public string KeyId { get; } = keyId;

    public string Source => inner.Source + " (alias)";

    public byte[] Sign(ReadOnlySpan<byte> data) => inner.Sign(data);

    public void Dispose()
    {
    }
}
