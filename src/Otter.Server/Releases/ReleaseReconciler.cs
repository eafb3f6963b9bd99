using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Otter.Server.Data;
using Otter.Server.Setup;
using Otter.Trust.Attestation;
using Otter.Trust.Bundles;
using Otter.Trust.Tuf.Repository;

namespace Otter.Server.Releases;

/// <summary>
/// At start: a release whose TUF metadata was committed but whose database row was not (the
/// server died in between) is complete and public, so its row is restored from the signed
/// metadata and the stored bundle. Uploads left behind by a crash are removed.
/// </summary>
internal sealed partial class ReleaseReconciler(ServerState state, TimeProvider time, ILogger<ReleaseReconciler> logger)
{
    public async Task RunAsync(OtterDbContext db, CancellationToken cancellationToken)
    {
        // Uploads a crash interrupted were never published: drop them.
        Directory.CreateDirectory(state.Paths.Uploads);
        foreach (var stale in Directory.EnumerateFiles(state.Paths.Uploads, "*.upload"))
        {
            File.Delete(stale);
        }

        var known = (await db.Releases.AsNoTracking().Select(r => r.Name).ToListAsync(cancellationToken)).ToHashSet(StringComparer.Ordinal);
        var restored = 0;
        foreach (var (name, file, stored) in TufRepository.ListTargets(state.Paths.Repository))
        {
            if (known.Contains(name) || file.Custom?["otter_log"] is not JsonObject log || log["index"] is not JsonValue index)
            {
                continue;
            }

            var capture = new ManifestCapture();
            await using (var parser = new BundleParserStream(capture))
            await using (var source = File.OpenRead(stored))
            {
                await source.CopyToAsync(parser, cancellationToken);
                parser.Complete();
            }

            var manifest = capture.Manifest!;
            db.Releases.Add(new ReleaseRow
            {
                Name = name,
                Version = manifest.Manifest.Version,
                Hardware = manifest.Manifest.Hardware,
                SecurityCounter = manifest.Manifest.SecurityCounter,
                Sha256 = file.Hashes["sha256"],
                Length = file.Length,
                LogIndex = index.GetValue<long>(),
                ExpectedMeasurement = ExpectedMeasurement.Of(manifest.Bytes),
                PublishedAt = time.GetUtcNow(),
                PublishedBy = "recovered at start",
            });
            restored++;
        }

        if (restored > 0)
        {
            await db.SaveChangesAsync(cancellationToken);
            LogRestored(logger, restored);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "restored {Count} published release(s) whose database rows were missing after an interrupted publish")]
    private static partial void LogRestored(ILogger logger, int count);
}
