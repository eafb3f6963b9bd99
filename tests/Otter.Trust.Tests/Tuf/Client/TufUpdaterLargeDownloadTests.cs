using System.Security.Cryptography;
using Otter.Trust.Tuf;
using Otter.Trust.Tuf.Client;

namespace Otter.Trust.Tests.Tuf.Client;

[Collection(SerialTestsDefinition.Name)]
public sealed class TufUpdaterLargeDownloadTests
{
    [Fact]
    public async Task DownloadTargetAsync_LargeTarget_MemoryDoesNotDependOnSize()
    {
        const long length = 128L * 1024 * 1024;
        using var sim = new RepositorySimulator(consistentSnapshot: false);
        var updater = sim.CreateUpdater(sim.CreateStore());
        await updater.RefreshAsync(CancellationToken.None);
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = new byte[1 << 20];
        using (var pattern = new PatternStream(length))
        {
            int read;
            while ((read = pattern.Read(buffer)) > 0)
            {
                hash.AppendData(buffer, 0, read);
            }
        }

        var file = new TargetFile { Length = length, Hashes = new Dictionary<string, string> { ["sha256"] = Convert.ToHexStringLower(hash.GetHashAndReset()) } };
        sim.StreamOverrides["big.img"] = () => new PatternStream(length);
        var destination = new CountingStream();
        var allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);

        await updater.DownloadTargetAsync(new TargetInfo("big.img", file, TufRoles.Targets), destination, CancellationToken.None);

        var allocated = GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore;
        Assert.Equal(length, destination.BytesWritten);
        Assert.True(allocated < 4 * 1024 * 1024, $"downloading {length} bytes allocated {allocated} bytes");
    }
}
