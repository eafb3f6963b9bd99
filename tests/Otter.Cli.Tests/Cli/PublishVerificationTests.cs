using System.Security.Cryptography;
using System.Text.Json;
using Otter.Cli.Cli;
using Otter.Cli.Tests.TestSupport;
using Otter.Ledger;
using Otter.Protocol.Management;
using Otter.Trust.Bundles;
using Otter.Trust.Keys;

namespace Otter.Cli.Tests.Cli;

/// <summary>The client-side check of a publish answer, against a real answer and altered copies of it.</summary>
public sealed class PublishVerificationTests(ManagementServer server) : IClassFixture<ManagementServer>
{
    private static readonly FixedPassphraseSource Passphrases = new(TestKeys.Passphrase);

    [Fact]
    public async Task Verify_RealAnswer_PassesAndSaysWhetherSignatureWasChecked()
    {
        var (result, manifest, sha256, length) = await PublishAsync();

        Assert.False(PublishVerification.Verify(result, result.Release.Name, manifest, sha256, length, null));
        Assert.True(PublishVerification.Verify(result, result.Release.Name, manifest, sha256, length, LogKey.Load(server.LogKeyFile, Passphrases)));
    }

    [Theory]
    [InlineData("log-index", "for entry")]
    [InlineData("proof-hash", "does not lead to the root")]
    [InlineData("log-size", "but the answer says")]
    [InlineData("sent-bytes", "but otter sent")]
    [InlineData("version", "but the bundle's manifest says")]
    [InlineData("counter", "but the bundle's manifest says")]
    [InlineData("name", "the server answered for the release")]
    public async Task Verify_AlteredAnswer_ThrowsSayingPublishedButUnproven(string change, string expected)
    {
        var (result, manifest, sha256, length) = await PublishAsync();
        var name = result.Release.Name;
        var proof = result.InclusionProof.ToList();
        switch (change)
        {
            case "log-index":
                result = result with { Release = result.Release with { LogIndex = result.Release.LogIndex == 0 ? 1 : 0 } };
                break;
            case "proof-hash":
                proof[0] = Convert.ToBase64String(SHA256.HashData(Convert.FromBase64String(proof[0])));
                result = result with { InclusionProof = proof };
                break;
            case "log-size":
                result = result with { LogSize = result.LogSize + 1 };
                break;
            case "sent-bytes":
                sha256 = new string('0', 64);
                break;
            case "version":
                manifest = new BootManifest { Version = "9.9.9", SecurityCounter = manifest.SecurityCounter, Hardware = manifest.Hardware, Stages = [] };
                break;
            case "counter":
                manifest = new BootManifest { Version = manifest.Version, SecurityCounter = manifest.SecurityCounter + 1, Hardware = manifest.Hardware, Stages = [] };
                break;
            case "name":
                name += "-other";
                break;
        }

        var ex = Assert.ThrowsAny<LedgerException>(() => PublishVerification.Verify(result, name, manifest, sha256, length, null));

        Assert.StartsWith($"{name} was published, but its transparency log proof does not verify: ", ex.Message, StringComparison.Ordinal);
        Assert.Contains(expected, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Verify_CheckpointSignedByAnotherKey_Throws()
    {
        var (result, manifest, sha256, length) = await PublishAsync();
        var otherKey = TestKeys.Create(server.WorkDirectory, ManagementServer.Unique("log"));

        var ex = Assert.ThrowsAny<LedgerException>(() => PublishVerification.Verify(result, result.Release.Name, manifest, sha256, length, LogKey.Load(otherKey, Passphrases)));

        Assert.StartsWith($"{result.Release.Name} was published, but its transparency log proof does not verify: ", ex.Message, StringComparison.Ordinal);
    }

    private async Task<(PublishResult Result, BootManifest Manifest, string Sha256, long Length)> PublishAsync()
    {
        var bundle = await server.CreateBundleAsync("5.1.0", "gw-x5", securityCounter: 4);
        // A few releases, so that proofs are not empty.
        await server.PublishAsync("gw-x5");
        var output = await server.RunOkAsync("release", "publish", bundle, "--name", ManagementServer.Unique("fw"), "--json");
        await server.PublishAsync("gw-x5");
        var report = JsonSerializer.Deserialize(output.Output, ManagementJsonContext.Default.PublishReport)!;
        var result = new PublishResult
        {
            Release = report.Release,
            LogOrigin = report.LogOrigin,
            Checkpoint = report.Checkpoint,
            LogSize = report.LogSize,
            InclusionProof = report.InclusionProof,
            TargetsVersion = report.TargetsVersion,
        };
        var manifest = new BootManifest { Version = "5.1.0", SecurityCounter = 4, Hardware = "gw-x5", Stages = [] };
        var bytes = await File.ReadAllBytesAsync(bundle);
        return (result, manifest, Convert.ToHexStringLower(SHA256.HashData(bytes)), bytes.Length);
    }
}
