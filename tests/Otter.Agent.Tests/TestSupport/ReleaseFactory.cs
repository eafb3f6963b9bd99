using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Otter.Agent.Platform;
using Otter.Ledger.Log;
using Otter.Ledger.Records;
using Otter.Ledger.Storage;
using Otter.Trust.Bundles;
using Otter.Trust.Keys;
using Otter.Trust.Tuf.Repository;

namespace Otter.Agent.Tests.TestSupport;

/// <summary>
/// A test's own world, made with the real <c>otter</c> and <c>otter-agent</c> commands: keys, a
/// TUF repository, a transparency log, bundles, and a provisioned device. A template is built
/// once per test run (v1 published, logged, installed and committed in slot a of the device;
/// then v2 published and logged); every factory is a private copy of it in its own temp folder,
/// so tests do not depend on each other or on their order.
/// </summary>
internal sealed class ReleaseFactory : IDisposable
{
    public const string Hardware = "gw";
    public const string LogOrigin = "test.example/log";
    public const string DeviceId = "gw-0001";
    public const string V1 = "fw-1.0.bin";
    public const string V2 = "fw-2.0.bin";
    public const string ForeignBootKey = "foreign-boot";
    public const string ProbeCommand = "sh \"$OTTER_SLOT_DIR/app.stage\"";
    public static readonly string[] StageNames = ["fsbl", "ssbl", "os", "app"];

    private static readonly Lazy<Task<TempDirectory>> Template = new(BuildTemplateAsync);
    private readonly TempDirectory _temp;
    private int _built;

    private ReleaseFactory(TempDirectory temp) => _temp = temp;

    public string Root => _temp.Path;

    public string Repo => Combine("repo");

    public string Log => Combine("log");

    /// <summary>The device: v1 committed in slot a, slot b empty, log checkpoint of size 1.</summary>
    public string Device => Combine("device");

    public string TrustedRoot => Combine("trusted-root.json");

    public string BootPublicKey => Combine("boot.pub");

    public string LogPublicKey => Combine("log.pub");

    public static IPassphraseSource Passphrases { get; } = new FixedPassphraseSource(OtterRunner.Passphrase);

    public static async Task<ReleaseFactory> CreateAsync()
    {
        var template = await Template.Value;
        var temp = new TempDirectory();
        DirectorySnapshot.Copy(template.Path, temp.Path);
        return new ReleaseFactory(temp);
    }

    public string Combine(params string[] parts) => _temp.Combine(parts);

    public string Key(string name) => Combine("keys", name + ".key");

    /// <summary>Writes the stage files for <paramref name="spec"/> and runs <c>otter bundle create</c>; returns the bundle path.</summary>
    public async Task<string> BuildBundleAsync(BundleSpec spec)
    {
        var id = $"{spec.Version}-{Interlocked.Increment(ref _built)}";
        var stages = Combine("stages", id);
        Directory.CreateDirectory(stages);
        var args = new List<string>();
        foreach (var (name, bytes) in StageContents(spec))
        {
            var path = Path.Combine(stages, name);
            await File.WriteAllBytesAsync(path, bytes);
            args.AddRange(["--stage", $"{name}={path}"]);
        }

        Directory.CreateDirectory(Combine("bundles"));
        var bundle = Combine("bundles", id + ".bin");
        await OtterRunner.RunOkAsync([
            "bundle", "create", "--out", bundle, "--boot-key", Key(spec.BootKey), "--version", spec.Version,
            "--security-counter", spec.SecurityCounter.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "--hardware", spec.Hardware, .. args]);
        return bundle;
    }

    /// <summary>The stage files a spec makes, in boot order.</summary>
    public static IReadOnlyList<(string Name, byte[] Bytes)> StageContents(BundleSpec spec)
    {
        byte[] os;
        if (spec.OsLength > 0)
        {
            os = RandomNumberGenerator.GetBytes(spec.OsLength);
        }
        else
        {
            os = Encoding.ASCII.GetBytes($"os {spec.Version}{spec.Salt}\n");
        }

        return
        [
            ("fsbl", Encoding.ASCII.GetBytes($"fsbl {spec.Version}{spec.Salt}\n")),
            ("ssbl", Encoding.ASCII.GetBytes($"ssbl {spec.Version}{spec.Salt}\n")),
            ("os", os),
            ("app", Encoding.ASCII.GetBytes($"#!/bin/sh\n# {spec.Version}{spec.Salt}\nexit {spec.AppExitCode}\n")),
        ];
    }

    /// <summary>Runs <c>otter repo add</c>; logged in <paramref name="log"/> (default: the factory's log) unless <paramref name="logged"/> is false.</summary>
    public Task<CliResult> PublishAsync(string file, string name, string version, long securityCounter, string hardware = Hardware, bool logged = true, string? log = null, string? repo = null)
    {
        List<string> args =
        [
            "repo", "add", repo ?? Repo, file, "--name", name,
            "--custom", $"version={version}", "--custom", $"hardware={hardware}",
            "--custom", $"security_counter={securityCounter.ToString(System.Globalization.CultureInfo.InvariantCulture)}",
            "--targets-key", Key("targets"), "--snapshot-key", Key("snapshot"), "--timestamp-key", Key("timestamp"),
        ];
        if (logged)
        {
            args.AddRange(["--log", log ?? Log, "--log-key", Key("log")]);
        }

        return OtterRunner.RunAsync([.. args]);
    }

    /// <summary>
    /// Publishes <paramref name="file"/> with the Trust library directly (the CLI logs every release
    /// honestly), claiming it is log entry <paramref name="logIndex"/> of <paramref name="origin"/>
    /// without appending anything.
    /// </summary>
    public void PublishClaimingLogEntry(string file, string name, string version, long securityCounter, long logIndex, string origin = LogOrigin)
    {
        var loader = new KeyLoader(Passphrases);
        using var targets = loader.Open(Key("targets"));
        using var snapshot = loader.Open(Key("snapshot"));
        using var timestamp = loader.Open(Key("timestamp"));
        var custom = new JsonObject { ["version"] = version, ["hardware"] = Hardware, ["security_counter"] = securityCounter };
        new TufRepository(TimeProvider.System).AddTarget(Repo, file, name, custom, targets, snapshot, timestamp, draft =>
        {
            var signed = (JsonObject)draft.Custom!.DeepClone();
            signed["otter_log"] = new JsonObject { ["origin"] = origin, ["index"] = logIndex };
            return signed;
        });
    }

    /// <summary>Appends <paramref name="record"/> to the factory's log (signed with the log key); returns its index.</summary>
    public async Task<long> AppendToLogAsync(ReleaseRecord record, string? log = null)
    {
        using var signer = TestKeys.OpenSigner(Key("log"));
        using var opened = await TransparencyLog.OpenAsync(new DirectoryLogStorage(log ?? Log), signer);
        return (await opened.AppendAsync([record.ToEntry()])).FirstIndex;
    }

    /// <summary>Builds a bundle and publishes it with metadata that matches it; returns the target name.</summary>
    public async Task<string> ReleaseAsync(BundleSpec spec, string? name = null)
    {
        var bundle = await BuildBundleAsync(spec);
        name ??= $"fw-{spec.Version}-{_built}.bin";
        var result = await PublishAsync(bundle, name, spec.Version, spec.SecurityCounter, spec.Hardware);
        Assert.True(result.ExitCode == 0, result.ToString());
        return name;
    }

    /// <summary>The file a published target is stored as (consistent snapshots: sha256-prefixed).</summary>
    public string StoredTarget(string name)
    {
        var matches = Directory.GetFiles(Combine("repo", "targets"), "*." + name);
        return Assert.Single(matches);
    }

    public Task<CliResult> InstallAsync(string target, string? device = null, string? repo = null, string? log = null) =>
        AgentRunner.RunAsync("install", "--device", device ?? Device, "--repo", repo ?? Repo, "--log", log ?? Log, "--target", target);

    public Task<CliResult> BootAsync(string? device = null) => AgentRunner.RunAsync("boot", "--device", device ?? Device);

    /// <summary>Installs and boots, failing the test unless the install is staged.</summary>
    public async Task<CliResult> InstallAndBootAsync(string target, string? device = null)
    {
        var install = await InstallAsync(target, device);
        Assert.True(install.ExitCode == 0, install.ToString());
        return await BootAsync(device);
    }

    /// <summary><c>otter-agent status --json</c>, parsed.</summary>
    public async Task<JsonElement> StatusAsync(string? device = null)
    {
        var status = await AgentRunner.RunAsync("status", "--device", device ?? Device, "--json");
        Assert.True(status.ExitCode == 0, status.ToString());
        using var json = JsonDocument.Parse(status.Output);
        return json.RootElement.Clone();
    }

    public static SimulatedDevicePlatform OpenDevice(string device) => SimulatedDevicePlatform.Open(device, Passphrases);

    public BootControl BootControl(string? device = null) => OpenDevice(device ?? Device).ReadBootControl();

    /// <summary>Runs <c>otter-agent provision</c> for a new device in <paramref name="device"/> with this factory's trust anchors.</summary>
    public Task<CliResult> ProvisionAsync(string device, params string[] extra) =>
        AgentRunner.RunAsync([
            "provision", "--device", device, "--hardware", Hardware, "--boot-key", BootPublicKey,
            "--trusted-root", TrustedRoot, "--log-key", LogPublicKey, "--log-origin", LogOrigin, "--id", DeviceId,
            "--probe-command", ProbeCommand, .. extra]);

    /// <summary>A copy of the factory's device (v1 committed) in a new folder of this factory.</summary>
    public string CopyDevice(string name)
    {
        var copy = Combine(name);
        DirectorySnapshot.Copy(Device, copy);
        return copy;
    }

    /// <summary>The byte offset of <paramref name="stage"/> in a bundle file, and its length.</summary>
    public static (long Offset, long Length) StageOffset(string bundle, string stage)
    {
        var bytes = File.ReadAllBytes(bundle);
        var manifestLength = (int)BinaryPrimitives.ReadUInt32BigEndian(bytes.AsSpan(8, 4));
        var manifest = SignedBootManifest.Parse(bytes.AsSpan(BundleFormat.HeaderLength, manifestLength));
        long offset = BundleFormat.HeaderLength + manifestLength;
        foreach (var s in manifest.Manifest.Stages)
        {
            if (s.Name == stage)
            {
                return (offset, s.Length);
            }

            offset += s.Length;
        }

        throw new ArgumentException($"{bundle} has no stage {stage}", nameof(stage));
    }

    /// <summary>Flips one byte of <paramref name="stage"/> inside a bundle file (same length, manifest untouched).</summary>
    public static void CorruptStage(string bundle, string stage)
    {
        var (offset, length) = StageOffset(bundle, stage);
        var bytes = File.ReadAllBytes(bundle);
        bytes[offset + (length / 2)] ^= 0x20;
        File.WriteAllBytes(bundle, bytes);
    }

    public void Dispose() => _temp.Dispose();

    private static async Task<TempDirectory> BuildTemplateAsync()
    {
        var temp = new TempDirectory();
        AppDomain.CurrentDomain.ProcessExit += (_, _) => temp.Dispose();
        var factory = new ReleaseFactory(temp);
        foreach (var name in new[] { "root", "targets", "snapshot", "timestamp", "log", "boot", ForeignBootKey })
        {
            TestKeys.Create(factory.Combine("keys"), name);
        }

        await OtterRunner.RunOkAsync(
            "repo", "init", factory.Repo, "--root-key", factory.Key("root"),
            "--targets-key", factory.Key("targets"), "--snapshot-key", factory.Key("snapshot"), "--timestamp-key", factory.Key("timestamp"));
        File.Copy(Path.Combine(factory.Repo, "metadata", "1.root.json"), factory.TrustedRoot);
        await OtterRunner.RunOkAsync("log", "init", factory.Log, "--key", factory.Key("log"), "--origin", LogOrigin);
        await File.WriteAllTextAsync(factory.BootPublicKey, (await OtterRunner.RunOkAsync("keys", "show", factory.Key("boot"))).Output);
        await File.WriteAllTextAsync(factory.LogPublicKey, (await OtterRunner.RunOkAsync("keys", "show", factory.Key("log"))).Output);

        Assert.Equal(V1, await factory.ReleaseAsync(BundleSpec.Healthy("1.0", 1), V1));
        var provision = await factory.ProvisionAsync(factory.Device);
        Assert.True(provision.ExitCode == 0, provision.ToString());
        var boot = await factory.InstallAndBootAsync(V1);
        Assert.Equal("booted slot a version 1.0: committed", boot.Output.Trim());
        Assert.Equal(V2, await factory.ReleaseAsync(BundleSpec.Healthy("2.0", 2), V2));
        return temp;
    }
}
