using Otter.Trust.Bundles;
using Otter.Trust.Keys;
using Otter.Trust.Tests.TestSupport;

namespace Otter.Trust.Tests.Bundles;

/// <summary>A boot key and a temporary folder for stage files; builds bundles with <see cref="BundleWriter"/>.</summary>
internal sealed class BundleBuilder : IDisposable
{
    private readonly TempDirectory _temp = new("otter-bundle-test-");

    public BundleBuilder() => BootKey = new EcdsaSigner(EcdsaP256.Generate(), "boot-test");

    /// <summary>The boot key the manifests are signed with.</summary>
    public EcdsaSigner BootKey { get; }

    /// <summary>What a device fuses for <see cref="BootKey"/>.</summary>
    public byte[] FusedHash => SignedBootManifest.KeyHash(BootKey.PublicKey.KeyValue.Public);

    /// <summary>The folder holding the stage files.</summary>
    public string Directory => _temp.Path;

    /// <summary>Random bytes from a fixed seed.</summary>
    public static byte[] RandomBytes(int length, int seed)
    {
        var bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }

    /// <summary>The three-stage bundle most tests use: fsbl (1,000 bytes), ssbl (empty), os (5,000 bytes).</summary>
    public (byte[] Bundle, SignedBootManifest Manifest) BuildTypical() =>
        Build(("fsbl", RandomBytes(1000, 1)), ("ssbl", []), ("os", RandomBytes(5000, 2)));

    /// <summary>Writes the stages to files and returns the bundle <see cref="BundleWriter"/> makes of them.</summary>
    public (byte[] Bundle, SignedBootManifest Manifest) Build(params (string Name, byte[] Bytes)[] stages)
    {
        var inputs = stages.Select(s => new BundleStageInput(s.Name, WriteStage(s.Name, s.Bytes))).ToList();
        using var output = new MemoryStream();
        var manifest = BundleWriter.Write(output, "1.0.0", 1, "gw-x2", inputs, BootKey);
        return (output.ToArray(), manifest);
    }

    /// <summary>Writes a stage file under a name that is safe whatever the stage is called.</summary>
    public string WriteStage(string name, byte[] bytes)
    {
        var path = Path.Combine(_temp.Path, "stage-" + Convert.ToHexStringLower(System.Text.Encoding.UTF8.GetBytes(name)) + "-" + Guid.NewGuid().ToString("N")[..8]);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    public void Dispose()
    {
        BootKey.Dispose();
        _temp.Dispose();
    }
}
