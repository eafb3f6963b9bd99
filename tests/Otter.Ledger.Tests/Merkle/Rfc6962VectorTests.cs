using System.Text.Json;
using Otter.Ledger.Merkle;
using Otter.Ledger.Tests.TestSupport;

namespace Otter.Ledger.Tests.Merkle;

/// <summary>
/// Every RFC 6962 / RFC 9162 proof vector of transparency-dev/merkle (shared test data, read in
/// place): <c>wantErr: false</c> must verify, <c>wantErr: true</c> must be rejected with a
/// <see cref="ProofException"/>. Every hash in the vectors is valid base64 (garbage is encoded
/// as short or empty hashes), so decoding happens outside the assertion and a decoding failure
/// fails the case instead of passing as a rejection.
/// </summary>
public sealed class Rfc6962VectorTests
{
    public static TheoryData<VectorCase> InclusionVectors => Rfc6962Vectors.Cases("inclusion");

    public static TheoryData<VectorCase> ConsistencyVectors => Rfc6962Vectors.Cases("consistency");

    [RequiresRfc6962VectorsTheory]
    [MemberData(nameof(InclusionVectors))]
    public void VerifyInclusion_Vector_VerifiesExactlyWhenExpected(VectorCase vector)
    {
        using var json = ReadVector(vector);
        var root = json.RootElement;
        var index = ReadUInt64AsInt64(root, "leafIdx");
        var size = ReadUInt64AsInt64(root, "treeSize");
        var rootHash = Base64(root, "root");
        var leafHash = Base64(root, "leafHash");
        var proof = Proof(root);
        var wantErr = root.GetProperty("wantErr").GetBoolean();

        if (wantErr)
        {
            Assert.Throws<ProofException>(() => MerkleVerifier.VerifyInclusion(index, size, leafHash, proof, rootHash));
        }
        else
        {
            MerkleVerifier.VerifyInclusion(index, size, leafHash, proof, rootHash);
            Assert.Equal(rootHash, MerkleVerifier.RootFromInclusionProof(index, size, leafHash, proof));
            Assert.Equal(proof.Count, MerkleVerifier.InclusionProofLength(index, size));
        }
    }

    [RequiresRfc6962VectorsTheory]
    [MemberData(nameof(ConsistencyVectors))]
    public void VerifyConsistency_Vector_VerifiesExactlyWhenExpected(VectorCase vector)
    {
        using var json = ReadVector(vector);
        var root = json.RootElement;
        var size1 = ReadUInt64AsInt64(root, "size1");
        var size2 = ReadUInt64AsInt64(root, "size2");
        var root1 = Base64(root, "root1");
        var root2 = Base64(root, "root2");
        var proof = Proof(root);
        var wantErr = root.GetProperty("wantErr").GetBoolean();

        if (wantErr)
        {
            Assert.Throws<ProofException>(() => MerkleVerifier.VerifyConsistency(size1, size2, proof, root1, root2));
        }
        else
        {
            MerkleVerifier.VerifyConsistency(size1, size2, proof, root1, root2);
        }
    }

    [RequiresRfc6962VectorsFact]
    public void Vectors_SharedFolder_HoldsBothKindsWithHappyAndTamperedCases()
    {
        var inclusion = Rfc6962Vectors.Files("inclusion");
        var consistency = Rfc6962Vectors.Files("consistency");

        Assert.NotEmpty(inclusion);
        Assert.NotEmpty(consistency);
        Assert.Contains("inclusion/1/happy-path.json", inclusion);
        Assert.Contains("consistency/1/happy-path.json", consistency);
        Assert.Contains(inclusion, f => f.EndsWith("wrong-leaf.json", StringComparison.Ordinal));
        Assert.Contains(consistency, f => f.EndsWith("swapped-roots.json", StringComparison.Ordinal));
    }

    private static JsonDocument ReadVector(VectorCase vector) => JsonDocument.Parse(File.ReadAllBytes(Rfc6962Vectors.FullPath(vector.RelativePath)));

    // Sizes and indices are uint64 in the vectors (leafIdx "sub 1" from 0 wraps to 2^64 - 1);
    // the verifier takes long, so the same 64 bits are passed and must read as out of range.
    private static long ReadUInt64AsInt64(JsonElement root, string name) => unchecked((long)root.GetProperty(name).GetUInt64());

    private static byte[] Base64(JsonElement root, string name) => Convert.FromBase64String(root.GetProperty(name).GetString()!);

    private static List<byte[]> Proof(JsonElement root)
    {
        var proof = root.GetProperty("proof");
        return proof.ValueKind == JsonValueKind.Null
            ? []
            : proof.EnumerateArray().Select(p => Convert.FromBase64String(p.GetString()!)).ToList();
    }
}
