using System.Diagnostics.CodeAnalysis;
using System.Security.Cryptography;

using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;

using Otter.Trust.Keys;
using Otter.Trust.Tuf;

namespace Otter.Benchmarks;

/// <summary>
/// ECDSA P-256 sign and verify through Otter's signer interface (<see cref="ISigner"/> backed by
/// <see cref="EcdsaSigner"/>) and <see cref="SignatureVerifier"/>, against raw
/// <c>ECDsa.SignData</c> / <c>ECDsa.VerifyData</c> with the same key
/// material on the same bytes. Target: Otter's throughput at least 95% of raw (Ratio &lt;= 1.05).
/// </summary>
[MemoryDiagnoser]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
[CategoriesColumn]
[BaselineColumn]
public class EcdsaBenchmarks : IDisposable
{
    /// <summary>Bytes signed per call: about the size of canonical timestamp or snapshot metadata.</summary>
    public const int PayloadSize = 1024;

    private const string SignCategory = "ECDSA-P256-Sign";
    private const string VerifyCategory = "ECDSA-P256-Verify";

    private byte[] _data = [];
    private byte[] _signature = [];
    private string _signatureHex = string.Empty;
    private ECDsa? _rawSigningKey;
    private ECDsa? _rawVerifyingKey;
    [SuppressMessage("Performance", "CA1859:Use concrete types when possible for improved performance", Justification = "The benchmark measures the call through Otter's signer interface, as callers make it.")]
    private ISigner? _signer;
    private TufKey? _publicKey;
    private List<TufSignature> _signatures = [];
    private string[] _roleKeyIds = [];
    private Dictionary<string, TufKey> _keys = [];

    [GlobalSetup]
    public void Setup()
    {
        _data = new byte[PayloadSize];
        for (var i = 0; i < _data.Length; i++)
        {
            _data[i] = (byte)((i * 31) + 7);
        }

        ECParameters parameters;
        using (var generated = EcdsaP256.Generate())
        {
            parameters = generated.ExportParameters(includePrivateParameters: true);
        }

        // Two independent key objects over the same key material: one owned by Otter's signer,
        // one used raw, so neither benchmark warms the other's native handle.
        _signer = new EcdsaSigner(ECDsa.Create(parameters), "benchmark key (in memory)");
        _rawSigningKey = ECDsa.Create(parameters);
        CryptographicOperations.ZeroMemory(parameters.D);

        _publicKey = _signer.PublicKey;
        _rawVerifyingKey = EcdsaP256.TryImportPublic(_publicKey.KeyValue.Public)
            ?? throw new InvalidOperationException("the benchmark key's PEM did not import as P-256");

        _signature = _rawSigningKey.SignData(_data, HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence);
        _signatureHex = Convert.ToHexStringLower(_signature);
        _signatures = [new TufSignature { KeyId = _signer.KeyId, Signature = _signatureHex }];
        _roleKeyIds = [_signer.KeyId];
        _keys = new Dictionary<string, TufKey>(StringComparer.Ordinal) { [_signer.KeyId] = _publicKey };

        if (!SignatureVerifier.Verify(_publicKey, _data, Convert.ToHexStringLower(_signer.Sign(_data)))
            || !Raw_ECDsa_VerifyData()
            || !Otter_SignatureVerifier_Verify()
            || Otter_ThresholdVerifier_CountValidSignatures() != 1)
        {
            throw new InvalidOperationException("benchmark set-up is wrong: a signature did not verify");
        }
    }

    [Benchmark(Baseline = true)]
    [BenchmarkCategory(SignCategory)]
    public byte[] Raw_ECDsa_SignData() =>
        _rawSigningKey!.SignData(_data, HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence);

    [Benchmark]
    [BenchmarkCategory(SignCategory)]
    public byte[] Otter_ISigner_Sign() => _signer!.Sign(_data);

    [Benchmark(Baseline = true)]
    [BenchmarkCategory(VerifyCategory)]
    public bool Raw_ECDsa_VerifyData() =>
        _rawVerifyingKey!.VerifyData(_data, _signature, HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence);

    /// <summary>Includes Otter's per-call work: key support check, cache lookup by PEM, hex decode.</summary>
    [Benchmark]
    [BenchmarkCategory(VerifyCategory)]
    public bool Otter_SignatureVerifier_Verify() => SignatureVerifier.Verify(_publicKey!, _data, _signatureHex);

    /// <summary>One signature counted toward a threshold: adds the key-material identity and the sets.</summary>
    [Benchmark]
    [BenchmarkCategory(VerifyCategory)]
    public int Otter_ThresholdVerifier_CountValidSignatures() =>
        ThresholdVerifier.CountValidSignatures(_data, _signatures, _roleKeyIds, _keys);

    [GlobalCleanup]
    public void Dispose()
    {
        _signer?.Dispose();
        _rawSigningKey?.Dispose();
        _rawVerifyingKey?.Dispose();
        _signer = null;
        _rawSigningKey = null;
        _rawVerifyingKey = null;
        GC.SuppressFinalize(this);
    }
}
