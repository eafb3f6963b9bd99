using System.Security.Cryptography;
using System.Text.Json;

using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;

using Otter.Trust.Json;
using Otter.Trust.Keys;
using Otter.Trust.Tuf;

namespace Otter.Benchmarks;

/// <summary>
/// Canonical JSON serialise + sign, and parse + canonicalise + verify, of a targets metadata
/// file with 10,000 targets, each against a plain System.Text.Json reference on the same data.
/// </summary>
[MemoryDiagnoser]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
[CategoriesColumn]
[BaselineColumn]
public class TargetsMetadataBenchmarks : IDisposable
{
    /// <summary>Targets in the metadata file.</summary>
    public const int TargetCount = 10_000;

    private const string SignCategory = "Targets10k-Sign";
    private const string ParseCategory = "Targets10k-ParseVerify";
    private const string FileName = "targets.json";

    private EcdsaSigner? _signer;
    private TargetsMetadata? _targets;
    private JsonDocument? _signedDocument;
    private byte[] _fileBytes = [];
    private ISigner[] _signers = [];
    private string[] _roleKeyIds = [];
    private Dictionary<string, TufKey> _keys = [];

    [GlobalSetup]
    public void Setup()
    {
        _signer = new EcdsaSigner(EcdsaP256.Generate(), "benchmark key (in memory)");
        _signers = [_signer];
        _roleKeyIds = [_signer.KeyId];
        _keys = new Dictionary<string, TufKey>(StringComparer.Ordinal) { [_signer.KeyId] = _signer.PublicKey };
        _targets = TargetsFixture.Create(TargetCount);
        (_fileBytes, _) = TufMetadata.Sign(_targets, _signers);
        _signedDocument = JsonDocument.Parse(_fileBytes);

        if (Otter_TufMetadata_Parse_ThresholdVerify() != TargetCount)
        {
            throw new InvalidOperationException("benchmark set-up is wrong: the signed file did not parse back");
        }

        Console.WriteLine("// " + TargetsFixture.Describe(TargetCount, _fileBytes));
    }

    /// <summary>Reference: plain source-generated System.Text.Json serialisation of the same record (no canonical form, no signature).</summary>
    [Benchmark(Baseline = true)]
    [BenchmarkCategory(SignCategory)]
    public byte[] Raw_JsonSerializer_SerializeToUtf8Bytes() =>
        JsonSerializer.SerializeToUtf8Bytes(_targets!, TufJsonContext.Default.TargetsMetadata);

    /// <summary>Diagnostic: canonicalisation alone, of the already-parsed <c>signed</c> object.</summary>
    [Benchmark]
    [BenchmarkCategory(SignCategory)]
    public byte[] Otter_CanonicalJson_Serialize() =>
        CanonicalJson.Serialize(_signedDocument!.RootElement.GetProperty("signed"));

    /// <summary>(a) Serialise, canonicalise, one ECDSA signature, write the indented file.</summary>
    [Benchmark]
    [BenchmarkCategory(SignCategory)]
    public byte[] Otter_TufMetadata_Sign() => TufMetadata.Sign(_targets!, _signers).FileBytes;

    /// <summary>(c) Reference: parse the file bytes into a DOM, default options.</summary>
    [Benchmark(Baseline = true)]
    [BenchmarkCategory(ParseCategory)]
    public int Raw_JsonDocument_Parse()
    {
        using var document = JsonDocument.Parse(_fileBytes);
        return (int)document.RootElement.ValueKind;
    }

    /// <summary>(c) Reference: SHA-256 of the file bytes.</summary>
    [Benchmark]
    [BenchmarkCategory(ParseCategory)]
    public byte[] Raw_SHA256_HashData() => SHA256.HashData(_fileBytes);

    /// <summary>Diagnostic: parse, validate, canonicalise, deserialise; no signature check.</summary>
    [Benchmark]
    [BenchmarkCategory(ParseCategory)]
    public int Otter_TufMetadata_Parse() =>
        TufMetadata.Parse<TargetsMetadata>(_fileBytes, FileName).Signed.Targets.Count;

    /// <summary>(b) What a client does with a downloaded targets.json: parse, canonicalise, check the threshold.</summary>
    [Benchmark]
    [BenchmarkCategory(ParseCategory)]
    public int Otter_TufMetadata_Parse_ThresholdVerify()
    {
        var metadata = TufMetadata.Parse<TargetsMetadata>(_fileBytes, FileName);
        ThresholdVerifier.Verify(metadata, FileName, TufRoles.Targets, _roleKeyIds, 1, _keys);
        return metadata.Signed.Targets.Count;
    }

    [GlobalCleanup]
    public void Dispose()
    {
        _signedDocument?.Dispose();
        _signer?.Dispose();
        _signedDocument = null;
        _signer = null;
        GC.SuppressFinalize(this);
    }
}
