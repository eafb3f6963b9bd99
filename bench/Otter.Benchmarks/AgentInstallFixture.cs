using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json.Nodes;

using Otter.Agent.Platform;
using Otter.Ledger.Log;
using Otter.Ledger.Records;
using Otter.Ledger.Storage;
using Otter.Trust.Bundles;
using Otter.Trust.Keys;
using Otter.Trust.Tuf.Repository;

namespace Otter.Benchmarks;

/// <summary>
/// What a device installs from, built with the library APIs the otter CLI uses: a TUF repository
/// (one offline root key, online targets/snapshot/timestamp keys), a transparency log, a boot key,
/// and bundles published in the repository with their release records logged (<c>otter_log</c>).
/// </summary>
internal sealed class AgentInstallFixture : IDisposable
{
    public const string Hardware = "bench-gw";
    public const string LogOrigin = "bench.otter.example/agent-install";
    public const string Passphrase = "otter-bench";

    private readonly EcdsaSigner _bootKey;
    private readonly EcdsaSigner _logKey;
    private readonly List<KeyHandle> _onlineKeys;
    private readonly TransparencyLog _log;

    private AgentInstallFixture(string root, EcdsaSigner bootKey, EcdsaSigner logKey, List<KeyHandle> onlineKeys, TransparencyLog log)
    {
        Root = root;
        _bootKey = bootKey;
        _logKey = logKey;
        _onlineKeys = onlineKeys;
        _log = log;
    }

    /// <summary>Device key passphrases (the simulated devices' keys are files).</summary>
    public static IPassphraseSource Passphrases { get; } = new FixedPassphraseSource(Passphrase);

    /// <summary>The work directory.</summary>
    public string Root { get; }

    /// <summary>The TUF repository directory.</summary>
    public string Repository => Path.Combine(Root, "repo");

    /// <summary>The transparency log directory.</summary>
    public string LogDirectory => Path.Combine(Root, "log");

    /// <summary>Where simulated devices live.</summary>
    public string DevicesDirectory => Path.Combine(Root, "devices");

    /// <summary>Creates the keys, the repository and the log in <paramref name="root"/> (new or empty).</summary>
    public static async Task<AgentInstallFixture> CreateAsync(string root)
    {
        Directory.CreateDirectory(root);
        var keys = Path.Combine(root, "keys");
        Directory.CreateDirectory(keys);
        var loader = new KeyLoader(Passphrases);
        KeyHandle Key(string name)
        {
            var path = Path.Combine(keys, name + ".key");
            using (var key = EcdsaP256.Generate())
            {
                KeyFile.Write(path, key, Passphrase, iterations: 1000);
            }

            return loader.Open(path);
        }

        var online = new List<KeyHandle> { Key("targets"), Key("snapshot"), Key("timestamp") };
        using (var rootKey = Key("root"))
        {
            new TufRepository(TimeProvider.System).Init(Path.Combine(root, "repo"), new RepositoryInitOptions
            {
                RootKeys = [rootKey],
                TargetsKey = online[0],
                SnapshotKey = online[1],
                TimestampKey = online[2],
            });
        }

        var logDirectory = Path.Combine(root, "log");
        Directory.CreateDirectory(logDirectory);
        var logKey = new EcdsaSigner(EcdsaP256.Generate(), "bench-log");
        var log = await TransparencyLog.CreateAsync(new DirectoryLogStorage(logDirectory), LogOrigin, logKey);
        Directory.CreateDirectory(Path.Combine(root, "devices"));
        return new AgentInstallFixture(root, new EcdsaSigner(EcdsaP256.Generate(), "bench-boot"), logKey, online, log);
    }

    /// <summary>
    /// Builds a bundle (fsbl 256 KiB, ssbl 1 MiB, os <paramref name="osMiB"/> MiB, all random) with
    /// <see cref="BundleWriter"/>, publishes it in the repository with its release record logged,
    /// and deletes the build files: the repository's copy is the only one left.
    /// </summary>
    public AgentInstallBundle AddBundle(int osMiB)
    {
        var build = Path.Combine(Root, string.Create(CultureInfo.InvariantCulture, $"build-{osMiB}"));
        Directory.CreateDirectory(build);
        try
        {
            var stages = new List<BundleStageInput>
            {
                new("fsbl", WriteRandomFile(Path.Combine(build, "fsbl.img"), 256L * 1024)),
                new("ssbl", WriteRandomFile(Path.Combine(build, "ssbl.img"), 1L << 20)),
                new("os", WriteRandomFile(Path.Combine(build, "rootfs.img"), (long)osMiB << 20)),
            };
            var version = string.Create(CultureInfo.InvariantCulture, $"{osMiB}.0.0");
            var bundle = Path.Combine(build, "bundle.otb");
            using (var output = new FileStream(bundle, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 20))
            {
                BundleWriter.Write(output, version, 1, Hardware, stages, _bootKey);
            }

            foreach (var stage in stages)
            {
                File.Delete(stage.Path);
            }

            var custom = new JsonObject { ["version"] = version, ["hardware"] = Hardware, ["security_counter"] = 1L, ["kind"] = "bundle" };
            var name = string.Create(CultureInfo.InvariantCulture, $"{Hardware}/bundle-{osMiB}mib.otb");
            var added = new TufRepository(TimeProvider.System).AddTarget(
                Repository, bundle, name, custom, _onlineKeys[0], _onlineKeys[1], _onlineKeys[2], LogRelease);
            return new AgentInstallBundle(osMiB, name, Path.Combine(Repository, added.StoredPath), added.Length, added.Sha256);
        }
        finally
        {
            Directory.Delete(build, recursive: true);
        }
    }

    /// <summary>Provisions a new simulated device for the harness's hardware, boot key, repository root and log.</summary>
    public string ProvisionDevice(string name)
    {
        var directory = Path.Combine(DevicesDirectory, name);
        DeviceProvisioner.Provision(directory, new ProvisioningRequest
        {
            Hardware = Hardware,
            BootKeyPem = _bootKey.PublicKey.KeyValue.Public,
            TrustedRoot = File.ReadAllBytes(Path.Combine(Repository, "metadata", "1.root.json")),
            LogKeyPem = _logKey.PublicKey.KeyValue.Public,
            LogOrigin = LogOrigin,
            Id = name,
        }, Passphrases);
        return directory;
    }

    public void Dispose()
    {
        _log.Dispose();
        _logKey.Dispose();
        _bootKey.Dispose();
        foreach (var key in _onlineKeys)
        {
            key.Dispose();
        }
    }

    private static string WriteRandomFile(string path, long length)
    {
        var buffer = new byte[1 << 20];
        using var file = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1);
        for (long written = 0; written < length; written += buffer.Length)
        {
            var take = (int)Math.Min(buffer.Length, length - written);
            RandomNumberGenerator.Fill(buffer.AsSpan(0, take));
            file.Write(buffer, 0, take);
        }

        return path;
    }

    // As `otter repo add --log`: the release record is appended just before targets is signed,
    // and its index is signed into the target's custom data.
    private JsonObject LogRelease(TargetDraft draft)
    {
        var custom = draft.Custom!;
        var record = new ReleaseRecord
        {
            Name = draft.Name,
            Version = custom["version"]!.GetValue<string>(),
            Sha256 = draft.Sha256,
            Length = draft.Length,
            SecurityCounter = custom["security_counter"]!.GetValue<long>(),
            Hardware = Hardware,
            Kind = "bundle",
        };
        var result = _log.AppendAsync([record.ToEntry()]).GetAwaiter().GetResult();
        var signed = (JsonObject)custom.DeepClone();
        signed["otter_log"] = new JsonObject { ["origin"] = LogOrigin, ["index"] = result.FirstIndex };
        return signed;
    }
}
