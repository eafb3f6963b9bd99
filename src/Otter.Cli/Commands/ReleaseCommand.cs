using System.CommandLine;
using System.Globalization;
using Otter.Cli.Cli;
using Otter.Protocol;
using Otter.Protocol.Management;
using Otter.Server.Releases;
using Otter.Trust.Bundles;

namespace Otter.Cli.Commands;

/// <summary><c>otter release publish|list</c> against the fleet server.</summary>
internal static class ReleaseCommand
{
    // Smaller uploads finish before a progress line would be worth drawing.
    private const long ProgressThreshold = 8L * 1024 * 1024;

    public static Command Create(CliEnvironment environment)
    {
        var command = new Command("release", "Publish bundles on the fleet server and list its releases.");
        command.Subcommands.Add(Publish(environment));
        command.Subcommands.Add(List(environment));
        return command;
    }

    private static Command Publish(CliEnvironment environment)
    {
        var file = new Argument<string>("FILE") { Description = "The bundle, as `otter bundle create` makes it." };
        var name = new Option<string>("--name") { Description = "The release name, which becomes its TUF target name (e.g. gw-x2/2.1.0.otb).", Required = true };
        var logKey = new Option<string>("--log-key") { Description = "The server's log public key (PEM, key file or verifier key): also verify the checkpoint's signature." };
        var json = KeysCommand.JsonOption();
        var server = new ServerOptions();
        var command = server.AddTo(new Command("publish", "Upload a bundle; the server signs it into the TUF repository and logs it. The log inclusion proof is verified here.")
        {
            file, name, logKey, json,
        });
        command.SetAction(async (parse, cancellationToken) =>
        {
            var path = parse.GetValue(file)!;
            var releaseName = parse.GetValue(name)!;
            var key = parse.GetValue(logKey);
            if (!File.Exists(path))
            {
                throw new UsageException($"{path} does not exist or is not a file; give a bundle made with `otter bundle create`.");
            }

            if (string.IsNullOrWhiteSpace(releaseName))
            {
                throw new UsageException("--name is empty; give the release name, e.g. --name gw-x2/2.1.0.otb.");
            }

            // Loaded before the upload: a bad key must not leave a published release unverified.
            var logVerifier = key is null ? null : LogKey.Load(key, environment.Passphrases);
            var manifest = ReadManifest(path);
            using var client = server.Connect(parse, environment);
            var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.Asynchronous | FileOptions.SequentialScan);
            var length = stream.Length;
            var progress = environment.ErrorIsTerminal && length >= ProgressThreshold
                ? new ProgressLine(environment.Error, environment.Time, $"uploading {Path.GetFileName(path)}", length)
                : null;
            PublishResult result;
            string sha256;
            long sent;
            using (var upload = new UploadStream(stream, progress is null ? null : progress.Report))
            {
                try
                {
                    result = await client.UploadAsync($"api/v1/releases?name={Uri.EscapeDataString(releaseName)}", upload, length, ProtocolJsonContext.Default.PublishResult, cancellationToken);
                }
                catch (ServerException ex) when (ex.Status is null && upload.Sent > 0)
                {
                    // HTTP/1.1 cannot deliver an answer sent before the body is complete: the server's refusal shows up as a reset.
                    throw new ServerException(
                        $"the upload broke off after {upload.Sent.ToString("N0", CultureInfo.InvariantCulture)} of {length.ToString("N0", CultureInfo.InvariantCulture)} bytes ({ex.Message.TrimEnd('.')}); the server refuses a bundle part-way when a stage does not match its manifest, its log says why.",
                        ex.ExitCode,
                        null,
                        ex);
                }
                finally
                {
                    progress?.Finish();
                }

                sha256 = upload.Sha256();
                sent = upload.Sent;
            }

            var signatureVerified = PublishVerification.Verify(result, releaseName, manifest.Manifest, sha256, sent, logVerifier);
            var release = result.Release;
            if (parse.GetValue(json))
            {
                var report = new PublishReport
                {
                    Release = release,
                    LogOrigin = result.LogOrigin,
                    LogSize = result.LogSize,
                    Checkpoint = result.Checkpoint,
                    InclusionProof = result.InclusionProof,
                    TargetsVersion = result.TargetsVersion,
                    InclusionVerified = true,
                    CheckpointSignatureVerified = signatureVerified,
                };
                Output.Json(environment.Output, report, ManagementJsonContext.Default.PublishReport);
                return ExitCodes.Success;
            }

            var output = environment.Output;
            output.WriteLine($"published {release.Name}");
            output.WriteLine($"  version:          {release.Version}");
            output.WriteLine($"  hardware:         {release.Hardware}");
            output.WriteLine($"  security counter: {Output.Number(release.SecurityCounter)}");
            output.WriteLine($"  sha256:           {release.Sha256}");
            output.WriteLine($"  length:           {release.Length.ToString("N0", CultureInfo.InvariantCulture)} bytes");
            output.WriteLine($"  targets version:  {Output.Number(result.TargetsVersion)}");
            output.WriteLine($"  log index:        {Output.Number(release.LogIndex)} in {result.LogOrigin} (tree size {Output.Number(result.LogSize)})");
            output.WriteLine(signatureVerified
                ? "  inclusion proof:  verified, against a checkpoint signed by --log-key"
                : "  inclusion proof:  verified against the checkpoint's root (its signature not checked; pass --log-key to check it)");
            return ExitCodes.Success;
        });
        return command;
    }

    /// <summary>
    /// Reads the bundle's header and signed manifest (the start of the file): a file that is not a
    /// bundle is refused before anything is sent, and the manifest is what the log record is rebuilt from.
    /// </summary>
    private static SignedBootManifest ReadManifest(string path)
    {
        try
        {
            using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
            using var parser = new BundleParserStream(new ManifestCapture(), file.Length);
            var buffer = new byte[1 << 16];
            int read;
            while (parser.Manifest is null && (read = file.Read(buffer)) > 0)
            {
                parser.Write(buffer.AsSpan(0, read));
            }

            return parser.Manifest ?? throw new BundleException($"the file ends after {file.Length} bytes, before its boot manifest does; it is truncated.");
        }
        catch (BundleException ex)
        {
            var message = ex.Message.TrimEnd('.');
            throw new UsageException(message.Contains("otter bundle create", StringComparison.Ordinal)
                ? $"{path}: {message}."
                : $"{path} is not a valid Otter bundle: {message}; make one with `otter bundle create`.");
        }
    }

    private static Command List(CliEnvironment environment)
    {
        var json = KeysCommand.JsonOption();
        var server = new ServerOptions();
        var command = server.AddTo(new Command("list", "List published releases, oldest first.") { json });
        command.SetAction(async (parse, cancellationToken) =>
        {
            using var client = server.Connect(parse, environment);
            var releases = await client.GetAsync("api/v1/releases", ProtocolJsonContext.Default.ListReleaseInfo, cancellationToken);
            if (parse.GetValue(json))
            {
                Output.Json(environment.Output, releases, ProtocolJsonContext.Default.ListReleaseInfo);
                return ExitCodes.Success;
            }

            if (releases.Count == 0)
            {
                environment.Output.WriteLine("no releases yet; publish one with `otter release publish FILE --name NAME`.");
                return ExitCodes.Success;
            }

            var table = new TextTable("NAME", "VERSION", "HARDWARE", "COUNTER", "LOG INDEX", "PUBLISHED", "BY", "SHA256");
            foreach (var release in releases)
            {
                table.Add(
                    release.Name,
                    release.Version,
                    release.Hardware,
                    Output.Number(release.SecurityCounter),
                    Output.Number(release.LogIndex),
                    Output.Date(release.PublishedAt),
                    release.PublishedBy ?? "-",
                    Output.Short(release.Sha256));
            }

            table.WriteTo(environment.Output);
            return ExitCodes.Success;
        });
        return command;
    }
}
