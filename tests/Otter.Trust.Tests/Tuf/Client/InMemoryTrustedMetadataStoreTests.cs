using Otter.Trust.Tuf.Client;

namespace Otter.Trust.Tests.Tuf.Client;

public sealed class InMemoryTrustedMetadataStoreTests
{
    [Fact]
    public async Task WriteAsync_CallerChangesItsBuffer_StoredBytesUnaffected()
    {
        var store = new InMemoryTrustedMetadataStore();
        var bytes = TestData.Bytes("abc");

        await store.WriteAsync("root", bytes, CancellationToken.None);
        bytes[0] = (byte)'X';
        var read = await store.ReadAsync("root", CancellationToken.None);
        read![1] = (byte)'Y';

        Assert.Equal(TestData.Bytes("abc"), await store.ReadAsync("root", CancellationToken.None));
    }

    [Fact]
    public async Task DeleteAsync_StoredRole_Forgotten()
    {
        var store = new InMemoryTrustedMetadataStore();
        await store.WriteAsync("timestamp", TestData.Bytes("t"), CancellationToken.None);

        await store.DeleteAsync("timestamp", CancellationToken.None);
        await store.DeleteAsync("timestamp", CancellationToken.None);

        Assert.Null(await store.ReadAsync("timestamp", CancellationToken.None));
        Assert.Empty(store.Roles);
    }
}
