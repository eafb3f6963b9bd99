using System.Security.Cryptography;
using Otter.Ledger.Merkle;
using Otter.Ledger.Tests.TestSupport;

namespace Otter.Ledger.Tests.Merkle;

public sealed class MerkleHasherTests
{
    [Fact]
    public void EmptyRoot_Always_EqualsSha256OfEmptyInput()
    {
        Assert.Equal(SHA256.HashData(ReadOnlySpan<byte>.Empty), MerkleHasher.EmptyRoot.ToArray());
        Assert.Equal("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", Convert.ToHexStringLower(MerkleHasher.EmptyRoot));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(1023)]
    [InlineData(1024)]
    [InlineData(65535)]
    public void HashLeaf_EntryOfLength_EqualsSha256OfZeroByteAndEntry(int length)
    {
        var entry = new byte[length];
        new Random(length).NextBytes(entry);

        var expected = SHA256.HashData([0x00, .. entry]);

        Assert.Equal(expected, MerkleHasher.HashLeaf(entry));
        var destination = new byte[MerkleHasher.HashSize];
        MerkleHasher.HashLeaf(entry, destination);
        Assert.Equal(expected, destination);
    }

    [Fact]
    public void HashLeaf_EmptyEntry_MatchesRfc6962Vector()
    {
        // The leaf hash of the empty entry, as in the RFC 6962 vectors' single-entry cases.
        Assert.Equal("bjQLnP+zepicpUTmu3gKLHiQHT+zNzh2hRGjBhevoB0=", Convert.ToBase64String(MerkleHasher.HashLeaf([])));
    }

    [Fact]
    public void HashChildren_TwoHashes_EqualsSha256OfOneByteAndBoth()
    {
        var left = SHA256.HashData("left"u8);
        var right = SHA256.HashData("right"u8);

        Assert.Equal(SHA256.HashData([0x01, .. left, .. right]), MerkleHasher.HashChildren(left, right));
        Assert.NotEqual(MerkleHasher.HashChildren(left, right), MerkleHasher.HashChildren(right, left));
    }

    [Fact]
    public void HashChildren_DestinationAliasesInput_StillCorrect()
    {
        var left = SHA256.HashData("left"u8);
        var right = SHA256.HashData("right"u8);
        var expected = SHA256.HashData([0x01, .. left, .. right]);

        var buffer = left.ToArray();
        MerkleHasher.HashChildren(buffer, right, buffer);

        Assert.Equal(expected, buffer);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(4)]
    [InlineData(64)]
    [InlineData(256)]
    public void RootOfPerfectRun_PowerOfTwoHashes_EqualsReferenceMth(int count)
    {
        var leaves = Enumerable.Range(0, count).Select(i => ReferenceMerkle.LeafHash(BitConverter.GetBytes(i))).ToList();
        var hashes = leaves.SelectMany(h => h).ToArray();
        var destination = new byte[MerkleHasher.HashSize];

        MerkleHasher.RootOfPerfectRun(hashes, count, new byte[hashes.Length], destination);

        Assert.Equal(new ReferenceMerkle(leaves).Root(count), destination);
    }
}
