using Otter.Ledger.Log;
using Otter.Ledger.Merkle;
using Otter.Ledger.Storage;
using Otter.Trust.Keys;

namespace Otter.Ledger.Tests.Log;

public sealed class TransparencyLogSmokeTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "otter-log-" + Guid.NewGuid().ToString("N")[..12]);

    [Theory]
    [InlineData(1)]
    [InlineData(255)]
    [InlineData(256)]
    [InlineData(257)]
    [InlineData(70000)]
    public async Task AppendAsync_Batches_RootMatchesDirectComputationAndProofsVerify(int count)
    {
        using var signer = new EcdsaSigner(EcdsaP256.Generate(), "test");
        var storage = new DirectoryLogStorage(_directory);
        var entries = Enumerable.Range(0, count).Select(i => BitConverter.GetBytes(i)).ToList();
        var leaves = entries.Select(e => MerkleHasher.HashLeaf(e)).ToList();
        using (var log = await TransparencyLog.CreateAsync(storage, "test.example/log", signer))
        {
            var half = count / 2;
            if (half > 0)
            {
                await log.AppendAsync(entries.Take(half).ToList());
            }

            await log.AppendAsync(entries.Skip(half).ToList());
            Assert.Equal(ReferenceRoot(leaves), log.Checkpoint.Checkpoint.RootHash);
        }

        using var reopened = await TransparencyLog.OpenAsync(storage, signer);
        Assert.Equal(count, reopened.Size);
        var random = new Random(count);
        for (var i = 0; i < 20; i++)
        {
            var index = random.NextInt64(count);
            var size = random.NextInt64(index + 1, count + 1);
            var proof = await reopened.ProveInclusionAsync(index, size);
            MerkleVerifier.VerifyInclusion(index, size, leaves[(int)index], proof.Proof, ReferenceRoot(leaves.Take((int)size).ToList()));
            var size1 = random.NextInt64(1, size + 1);
            var consistency = await reopened.ProveConsistencyAsync(size1, size);
            MerkleVerifier.VerifyConsistency(size1, size, consistency.Proof, consistency.Root1, consistency.Root2);
            Assert.Equal(ReferenceRoot(leaves.Take((int)size1).ToList()), consistency.Root1);
        }

        Assert.Equal(count - 1, reopened.FindIndex(leaves[^1]));
        Assert.Equal(entries[^1], await reopened.ReadEntryAsync(count - 1));
    }

    public void Dispose()
    {
        if (Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }
    }

    private static byte[] ReferenceRoot(List<byte[]> leaves)
    {
        if (leaves.Count == 1)
        {
            return leaves[0];
        }

        var k = 1;
        while (k * 2 < leaves.Count)
        {
            k *= 2;
        }

        return MerkleHasher.HashChildren(ReferenceRoot(leaves.Take(k).ToList()), ReferenceRoot(leaves.Skip(k).ToList()));
    }
}
