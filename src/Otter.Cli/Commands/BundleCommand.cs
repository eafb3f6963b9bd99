using System.CommandLine;
using System.Globalization;
using Otter.Cli.Cli;
using Otter.Trust.Bundles;

namespace Otter.Cli.Commands;

/// <summary><c>otter bundle create</c>: a release for a device, its boot-chain stages plus a manifest signed with the boot key.</summary>
internal static class BundleCommand
{
    public static Command Create(CliEnvironment environment)
    {
        var command = new Command("bundle", "Build firmware bundles (boot-chain stages + a boot manifest signed with the boot key).");
        command.Subcommands.Add(CreateBundle(environment));
        return command;
    }

    private static Command CreateBundle(CliEnvironment environment)
    {
        var output = new Option<string>("--out") { Description = "The bundle file to write (must not exist).", Required = true };
        var bootKey = new Option<string>("--boot-key") { Description = "The boot key (file or pkcs11: URI) whose public hash devices have fused.", Required = true };
        var version = new Option<string>("--version") { Description = "The release version.", Required = true };
        var counter = new Option<long>("--security-counter") { Description = "The anti-rollback security counter.", Required = true };
        var hardware = new Option<string>("--hardware") { Description = "The hardware id the release is for.", Required = true };
        var stages = new Option<string[]>("--stage") { Description = "NAME=FILE, in boot order: first-stage bootloader, second-stage, OS, application, model.", Required = true };
        var command = new Command("create", "Create a bundle from stage files.") { output, bootKey, version, counter, hardware, stages };
        command.SetAction(parse =>
        {
            var path = parse.GetValue(output)!;
            if (File.Exists(path) || Directory.Exists(path))
            {
                throw new UsageException($"{path} already exists; choose another --out path.");
            }

            var directory = Path.GetDirectoryName(Path.GetFullPath(path))!;
            if (!Directory.Exists(directory))
            {
                throw new UsageException($"directory {directory} does not exist; create it first or choose another --out path.");
            }

            if (parse.GetValue(counter) < 0)
            {
                throw new UsageException("--security-counter must be zero or more.");
            }

            var inputs = new List<BundleStageInput>();
            foreach (var stage in parse.GetValue(stages)!)
            {
                var equals = stage.IndexOf('=', StringComparison.Ordinal);
                if (equals <= 0 || equals == stage.Length - 1)
                {
                    throw new UsageException($"--stage \"{stage}\" is not NAME=FILE; write e.g. --stage os=rootfs.img.");
                }

                inputs.Add(new BundleStageInput(stage[..equals], stage[(equals + 1)..]));
            }

            using var keys = new KeySet(environment.Passphrases);
            var signer = keys.Open(parse.GetValue(bootKey)!, "--boot-key").GetSigner();
            var temp = path + ".otter-tmp-" + Guid.NewGuid().ToString("N")[..8];
            SignedBootManifest manifest;
            try
            {
                using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 20))
                {
                    manifest = BundleWriter.Write(stream, parse.GetValue(version)!, parse.GetValue(counter), parse.GetValue(hardware)!, inputs, signer);
                    stream.Flush(flushToDisk: true);
                }

                File.Move(temp, path);
            }
            catch
            {
                File.Delete(temp);
                throw;
            }

            var total = manifest.Manifest.Stages.Sum(s => s.Length);
            environment.Output.WriteLine($"created {path}: {manifest.Manifest.Version} for {manifest.Manifest.Hardware}, security counter {manifest.Manifest.SecurityCounter}, {manifest.Manifest.Stages.Count} stages ({total.ToString("N0", CultureInfo.InvariantCulture)} bytes)");
            foreach (var stage in manifest.Manifest.Stages)
            {
                environment.Output.WriteLine($"  {stage.Name,-8} {stage.Length.ToString(CultureInfo.InvariantCulture),12}  {stage.Sha256}");
            }

            return ExitCodes.Success;
        });
        return command;
    }
}
