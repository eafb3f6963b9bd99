using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using Microsoft.EntityFrameworkCore;
using Otter.Ledger.Records;
using Otter.Protocol.Management;
using Otter.Server.Audit;
using Otter.Server.Auth;
using Otter.Server.Data;
using Otter.Server.Hosting;
using Otter.Server.Setup;
using Otter.Trust;
using Otter.Trust.Attestation;
using Otter.Trust.Bundles;
using Otter.Trust.Tuf.Repository;

namespace Otter.Server.Releases;

/// <summary>
/// Publishing: the upload streams to a temporary file while its SHA-256 is computed and its
/// bundle structure checked (never held in memory); then, under the publish lock, the TUF
/// repository adds it with the online keys, its release record is appended to the log just
/// before targets is signed, and the database row is written last. A crash at any point leaves
/// either nothing visible or a complete release (restored into the database at the next start).
/// </summary>
internal sealed class ReleasePublisher(ServerState state, AuditLog audit, TimeProvider time)
{
    public async Task<PublishResult> PublishAsync(OtterDbContext db, string name, Stream body, long? contentLength, ApiCaller caller, CancellationToken cancellationToken)
    {
        if (TargetNames.Check(name) is { } problem)
        {
            throw new ReleaseException(StatusCodes.Status400BadRequest, $"release name \"{name}\" {problem}; choose another name.");
        }

        if (await db.Releases.AnyAsync(r => r.Name == name, cancellationToken))
        {
            throw new ReleaseException(StatusCodes.Status409Conflict, $"a release named {name} is already published; releases are immutable, publish under a new name.");
        }

        if (contentLength > state.Settings.ReleaseLimit)
        {
            throw new ReleaseException(StatusCodes.Status413PayloadTooLarge, $"the bundle is {contentLength} bytes, more than the {state.Settings.ReleaseLimit} allowed (release_limit in server.json).");
        }

        Directory.CreateDirectory(state.Paths.Uploads);
        var upload = Path.Combine(state.Paths.Uploads, Guid.NewGuid().ToString("N") + ".upload");
        try
        {
            var manifest = await ReceiveAsync(body, upload, cancellationToken);
            var measurement = ExpectedMeasurement.Of(manifest.Bytes);
            await state.PublishLock.WaitAsync(cancellationToken);
            try
            {
                if (await db.Releases.AnyAsync(r => r.Name == name, cancellationToken))
                {
                    throw new ReleaseException(StatusCodes.Status409Conflict, $"a release named {name} was published meanwhile; publish under a new name.");
                }

                CrashPoints.Reach(CrashPoints.PublishReceived);

                // The TUF change is synchronous file work; run it off the request thread.
                var (added, logIndex) = await Task.Run(() => AddToRepository(name, upload, manifest), CancellationToken.None);
                CrashPoints.Reach(CrashPoints.PublishCommitted);
                var row = new ReleaseRow
                {
                    Name = name,
                    Version = manifest.Manifest.Version,
                    Hardware = manifest.Manifest.Hardware,
                    SecurityCounter = manifest.Manifest.SecurityCounter,
                    Sha256 = added.Sha256,
                    Length = added.Length,
                    LogIndex = logIndex,
                    TargetsVersion = added.Change.Roles.First(r => r.Role == "targets").Version,
                    ExpectedMeasurement = measurement,
                    PublishedAt = time.GetUtcNow(),
                    PublishedBy = caller.Name,
                };
                db.Releases.Add(row);
                await db.SaveChangesAsync(CancellationToken.None);
                await audit.AppendAsync(db, caller.Actor, "release.publish", name, $"version {row.Version}, hardware {row.Hardware}, sha256 {row.Sha256}, log index {logIndex}", CancellationToken.None);
                var proof = await state.Log.ProveInclusionAsync(logIndex, cancellationToken: CancellationToken.None);
                return new PublishResult
                {
                    Release = ToInfo(row),
                    LogOrigin = state.Log.Config.Origin,
                    Checkpoint = state.Log.Checkpoint.NoteText,
                    LogSize = proof.Size,
                    InclusionProof = proof.Proof.Select(Convert.ToBase64String).ToList(),
                    TargetsVersion = row.TargetsVersion,
                };
            }
            finally
            {
                state.PublishLock.Release();
            }
        }
        finally
        {
            File.Delete(upload);
        }
    }

    public static ReleaseInfo ToInfo(ReleaseRow row) => new()
    {
        Name = row.Name,
        Version = row.Version,
        Hardware = row.Hardware,
        SecurityCounter = row.SecurityCounter,
        Sha256 = row.Sha256,
        Length = row.Length,
        LogIndex = row.LogIndex,
        ExpectedMeasurement = row.ExpectedMeasurement,
        PublishedAt = row.PublishedAt,
        PublishedBy = row.PublishedBy,
    };

    private async Task<SignedBootManifest> ReceiveAsync(Stream body, string upload, CancellationToken cancellationToken)
    {
        var capture = new ManifestCapture();
        var buffer = new byte[1 << 16];
        long total = 0;
        try
        {
            await using var file = new FileStream(upload, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16, FileOptions.Asynchronous);
            await using var parser = new BundleParserStream(capture);
            int read;
            while ((read = await body.ReadAsync(buffer, cancellationToken)) > 0)
            {
                total += read;
                if (total > state.Settings.ReleaseLimit)
                {
                    throw new ReleaseException(StatusCodes.Status413PayloadTooLarge, $"the bundle is larger than the {state.Settings.ReleaseLimit} bytes allowed (release_limit in server.json).");
                }

                await parser.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
                await file.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
            }

            await file.FlushAsync(cancellationToken);
            file.Flush(flushToDisk: true);
            return parser.Complete();
        }
        catch (BundleException ex)
        {
            throw new ReleaseException(StatusCodes.Status400BadRequest, $"the upload is not a valid Otter bundle: {ex.Message} (make one with `otter bundle create`).", ex);
        }
        catch (BadHttpRequestException ex) when (ex.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            throw new ReleaseException(StatusCodes.Status413PayloadTooLarge, $"the bundle is larger than the {state.Settings.ReleaseLimit} bytes allowed (release_limit in server.json).", ex);
        }
    }

    private (AddedTarget Added, long LogIndex) AddToRepository(string name, string upload, SignedBootManifest manifest)
    {
        long? logIndex = null;
        var custom = new JsonObject
        {
            ["version"] = manifest.Manifest.Version,
            ["hardware"] = manifest.Manifest.Hardware,
            ["security_counter"] = manifest.Manifest.SecurityCounter,
            ["kind"] = "bundle",
        };
        try
        {
            var added = new TufRepository(time).AddTarget(
                state.Paths.Repository,
                upload,
                name,
                custom,
                state.TargetsKey,
                state.SnapshotKey,
                state.TimestampKey,
                draft =>
                {
                    var record = new ReleaseRecord
                    {
                        Name = draft.Name,
                        Version = manifest.Manifest.Version,
                        Sha256 = draft.Sha256,
                        Length = draft.Length,
                        SecurityCounter = manifest.Manifest.SecurityCounter,
                        Hardware = manifest.Manifest.Hardware,
                        Kind = "bundle",
                    };
                    var appended = state.Log.AppendAsync([record.ToEntry()]).GetAwaiter().GetResult();
                    logIndex = appended.FirstIndex;
                    CrashPoints.Reach(CrashPoints.PublishLogged);
                    var signed = (JsonObject)draft.Custom!.DeepClone();
                    signed["otter_log"] = new JsonObject { ["origin"] = state.Log.Config.Origin, ["index"] = appended.FirstIndex };
                    return signed;
                });
            return (added, logIndex!.Value);
        }
        catch (TrustException ex)
        {
            throw new ReleaseException(StatusCodes.Status500InternalServerError, $"the TUF repository refused the release: {ex.Message}", ex);
        }
    }
}
