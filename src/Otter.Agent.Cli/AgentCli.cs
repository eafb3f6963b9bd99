using System.CommandLine;
using System.Security.Cryptography;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Otter.Trust.Attestation;
using Otter.Agent.Boot;
using Otter.Agent.Health;
using Otter.Agent.Platform;
using Otter.Agent.Transport;
using Otter.Agent.Update;
using Otter.Trust;
using Otter.Trust.Keys;

namespace Otter.Agent.Cli;

/// <summary>The <c>otter-agent</c> command: provision, install, boot, status, quote. Exit 0 ok, 1 refused or failed verification, 2 bad usage.</summary>
internal static class AgentCli
{
    private static readonly JsonWriterOptions WriterOptions = new() { Indented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static async Task<int> RunAsync(string[] args, AgentCliEnvironment environment, CancellationToken cancellationToken = default)
    {
        var root = new RootCommand("otter-agent: verified A/B updates, verified boot and attestation on an Otter device.")
        {
            Provision(environment),
            Install(environment),
            Boot(environment),
            Status(environment),
            Quote(environment),
        };
        var parse = root.Parse(args);
        if (parse.Errors.Count > 0)
        {
            foreach (var error in parse.Errors)
            {
                await environment.Error.WriteLineAsync($"otter-agent: {error.Message}");
            }

            await environment.Error.WriteLineAsync("Run `otter-agent --help` for usage.");
            return 2;
        }

        try
        {
            return await parse.InvokeAsync(new InvocationConfiguration { Output = environment.Output, Error = environment.Error, EnableDefaultExceptionHandler = false }, cancellationToken);
        }
        catch (Exception ex)
        {
            var code = ex switch
            {
                UsageException => 2,
                KeyException => 2,
                AgentException => 1,
                TrustException => 1,
                IOException or UnauthorizedAccessException => 2,
                _ => 2,
            };
            await environment.Error.WriteLineAsync($"otter-agent: {ex.Message}");
            return code;
        }
    }

    private static Option<string> DeviceOption() => new("--device") { Description = "The device directory.", Required = true };

    private static Command Provision(AgentCliEnvironment environment)
    {
        var device = DeviceOption();
        var hardware = new Option<string>("--hardware") { Description = "The hardware id releases must match.", Required = true };
        var bootKey = new Option<string>("--boot-key") { Description = "The boot key's public PEM (as `otter keys show` prints); its hash is fused into the ROM.", Required = true };
        var trustedRoot = new Option<string>("--trusted-root") { Description = "The TUF root metadata the device starts from.", Required = true };
        var logKey = new Option<string>("--log-key") { Description = "The transparency log's public PEM.", Required = true };
        var logOrigin = new Option<string>("--log-origin") { Description = "The transparency log's origin.", Required = true };
        var id = new Option<string>("--id") { Description = "The device serial (generated when absent)." };
        var key = new Option<string>("--key") { Description = "An existing device key (file or pkcs11: URI); a new one is generated when absent." };
        var probeCommand = new Option<string[]>("--probe-command") { Description = "A health probe command for trial boots (repeatable; OTTER_SLOT_DIR is set)." };
        var probeUrl = new Option<string[]>("--probe-url") { Description = "A health probe URL that must answer 2xx (repeatable)." };
        var attempts = new Option<int>("--boot-attempts") { Description = "Trial boots per install.", DefaultValueFactory = _ => 3 };
        var command = new Command("provision", "Create a device: fuse the boot key hash, store the trust anchors, make the device key. Installs nothing.")
        {
            device, hardware, bootKey, trustedRoot, logKey, logOrigin, id, key, probeCommand, probeUrl, attempts,
        };
        command.SetAction(parse =>
        {
            var directory = parse.GetValue(device)!;
            var probes = (parse.GetValue(probeCommand) ?? []).Select(c => new HealthProbe { Command = c })
                .Concat((parse.GetValue(probeUrl) ?? []).Select(u => new HealthProbe { Url = u }))
                .ToList();
            var request = new ProvisioningRequest
            {
                Hardware = parse.GetValue(hardware)!,
                BootKeyPem = ReadPublicPem(parse.GetValue(bootKey)!, "--boot-key"),
                TrustedRoot = ReadFile(parse.GetValue(trustedRoot)!, "--trusted-root", 512 * 1024),
                LogKeyPem = ReadPublicPem(parse.GetValue(logKey)!, "--log-key"),
                LogOrigin = parse.GetValue(logOrigin)!,
                Id = parse.GetValue(id),
                Key = parse.GetValue(key),
                BootAttempts = parse.GetValue(attempts),
                Health = new HealthConfig { Probes = probes },
            };
            DeviceIdentity identity;
            try
            {
                identity = DeviceProvisioner.Provision(directory, request, environment.Passphrases);
            }
            catch (AgentException ex)
            {
                // Provisioning refuses only its own input (a bad trust anchor, a used directory): bad usage, exit 2.
                throw new UsageException(ex.Message, ex);
            }

            environment.Output.WriteLine($"provisioned device {identity.Id} ({identity.Hardware}) in {directory}; nothing installed yet");
            return 0;
        });
        return command;
    }

    private static Command Install(AgentCliEnvironment environment)
    {
        var device = DeviceOption();
        var repo = new Option<string>("--repo") { Description = "The TUF repository: an http(s) URL or a directory.", Required = true };
        var log = new Option<string>("--log") { Description = "The transparency log: an http(s) URL or a directory.", Required = true };
        var target = new Option<string>("--target") { Description = "The release's target name.", Required = true };
        var command = new Command("install", "Verify a release and write it into the inactive slot for a trial boot. Exit 0 staged, 1 rejected.") { device, repo, log, target };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var repository = parse.GetValue(repo)!;
            var logLocation = parse.GetValue(log)!;
            foreach (var (flag, location) in new[] { ("--repo", repository), ("--log", logLocation) })
            {
                if (!UpdateSources.IsUrl(location) && !Directory.Exists(location))
                {
                    throw new UsageException($"{flag} {location} is neither an http(s) URL nor an existing directory.");
                }
            }

            var platform = Open(parse.GetValue(device)!, environment);
            using var deviceLock = DeviceLock.Acquire(parse.GetValue(device)!);
            var client = new UpdateClient(platform, environment.Time);
            var outcome = await client.InstallAsync(
                UpdateSources.Repository(repository, environment.Http),
                UpdateSources.Log(logLocation, environment.Http),
                parse.GetValue(target)!,
                cancellationToken);
            environment.Output.WriteLine($"staged {outcome.Target} {outcome.Version} (security counter {outcome.SecurityCounter}) in slot {outcome.Slot}; log entry {outcome.LogIndex} of {outcome.LogSize} verified; reboot to try it");
            return 0;
        });
        return command;
    }

    private static Command Boot(AgentCliEnvironment environment)
    {
        var device = DeviceOption();
        var command = new Command("boot", "Simulate a reboot: verify the boot chain, run health checks, commit or roll back.") { device };
        command.SetAction(parse =>
        {
            var platform = Open(parse.GetValue(device)!, environment);
            using var deviceLock = DeviceLock.Acquire(parse.GetValue(device)!);
            var outcome = new BootLoader(platform, new ProbeHealthChecker(), environment.Time).Boot();
            if (outcome.Slot is null)
            {
                environment.Output.WriteLine($"no slot booted: {outcome.Outcome}{(outcome.Detail is null ? string.Empty : " (" + outcome.Detail + ")")}");
                return 1;
            }

            environment.Output.WriteLine($"booted slot {outcome.Slot} version {outcome.Version}: {outcome.Outcome}{(outcome.Detail is null ? string.Empty : " (" + outcome.Detail + ")")}");
            return 0;
        });
        return command;
    }

    private static Command Status(AgentCliEnvironment environment)
    {
        var device = DeviceOption();
        var json = new Option<bool>("--json") { Description = "Write JSON for scripts." };
        var command = new Command("status", "Show the device's slots, security counter, last result and measurement.") { device, json };
        command.SetAction(parse =>
        {
            var platform = Open(parse.GetValue(device)!, environment);
            var control = platform.ReadBootControl();
            var status = new AgentStatus(
                platform.Identity.Id,
                platform.Identity.Hardware,
                control.Active,
                control.Booted,
                control.Slots.ToDictionary(s => s.Key, s => new SlotStatus(s.Value.State.ToString().ToLowerInvariant(), s.Value.Version, s.Value.SecurityCounter, s.Value.Target)),
                control.SecurityCounter,
                control.LastResult,
                control.Measurement,
                control.Trial?.Slot);
            if (parse.GetValue(json))
            {
                WriteJson(environment.Output, status, AgentCliJsonContext.Default.AgentStatus);
                return 0;
            }

            environment.Output.WriteLine($"device {status.Id} ({status.Hardware}); active slot {status.ActiveSlot ?? "-"}; security counter {status.SecurityCounter}");
            foreach (var (name, slot) in status.Slots.OrderBy(s => s.Key, StringComparer.Ordinal))
            {
                environment.Output.WriteLine($"  slot {name}: {slot.State,-8} {slot.Version ?? "-"}{(name == status.PendingTrial ? " (trial pending)" : string.Empty)}");
            }

            if (status.LastResult is { } last)
            {
                environment.Output.WriteLine($"last result: {last.Outcome} {last.Version ?? string.Empty} {(last.Detail is null ? string.Empty : "- " + last.Detail)}".TrimEnd());
            }

            environment.Output.WriteLine($"measurement: {status.Measurement ?? "-"}");
            return 0;
        });
        return command;
    }

    private static Command Quote(AgentCliEnvironment environment)
    {
        var device = DeviceOption();
        var nonce = new Option<string>("--nonce") { Description = "The verifier's challenge, hex.", Required = true };
        var command = new Command("quote", "Print an attestation quote signed by the device key: measurement, boot manifest hash, nonce.") { device, nonce };
        command.SetAction(parse =>
        {
            var nonceText = parse.GetValue(nonce)!;
            if (nonceText.Length is < 16 or > 128 || nonceText.Length % 2 != 0 || !nonceText.All(char.IsAsciiHexDigit))
            {
                throw new UsageException("--nonce must be 8 to 64 bytes of hex (16 to 128 hex digits).");
            }

            var platform = Open(parse.GetValue(device)!, environment);
            var control = platform.ReadBootControl();
            if (control.Booted is not { } slot || control.Measurement is null)
            {
                throw new AgentException("the device has not booted a verified image; there is nothing to attest.");
            }

            var manifest = platform.ReadManifest(slot) ?? throw new AgentException($"slot {slot} has no boot manifest.");
            using var key = platform.OpenDeviceKey();
            var quote = QuoteSigner.Sign(
                new QuoteBody
                {
                    DeviceId = platform.Identity.Id,
                    Nonce = nonceText.ToLowerInvariant(),
                    Measurement = control.Measurement,
                    ManifestSha256 = Convert.ToHexStringLower(SHA256.HashData(manifest)),
                    Slot = slot,
                    Version = control.Slots[slot].Version ?? "unknown",
                    SecurityCounter = control.SecurityCounter,
                },
                key);
            WriteJson(environment.Output, quote, AgentCliJsonContext.Default.AttestationQuote);
            return 0;
        });
        return command;
    }

    private static SimulatedDevicePlatform Open(string directory, AgentCliEnvironment environment)
    {
        if (!Directory.Exists(directory))
        {
            throw new UsageException($"--device {directory} does not exist; create it with `otter-agent provision`.");
        }

        return SimulatedDevicePlatform.Open(directory, environment.Passphrases);
    }

    private static byte[] ReadFile(string path, string flag, int limit)
    {
        var info = new FileInfo(path);
        if (!info.Exists)
        {
            throw new UsageException($"{flag} {path} does not exist.");
        }

        if (info.Length > limit)
        {
            throw new UsageException($"{flag} {path} is {info.Length} bytes, more than the {limit} accepted.");
        }

        return File.ReadAllBytes(path);
    }

    private static string ReadPublicPem(string path, string flag)
    {
        // Accepts a bare PEM, `otter keys show` output, or an Otter key file: the PUBLIC KEY block is what counts.
        var text = System.Text.Encoding.ASCII.GetString(ReadFile(path, flag, 64 * 1024));
        var start = text.IndexOf("-----BEGIN PUBLIC KEY-----", StringComparison.Ordinal);
        var end = text.IndexOf("-----END PUBLIC KEY-----", StringComparison.Ordinal);
        if (start < 0 || end < start)
        {
            throw new UsageException($"{flag} {path} holds no PEM public key (-----BEGIN PUBLIC KEY-----); save the output of `otter keys show KEY`.");
        }

        var pem = text[start..(end + "-----END PUBLIC KEY-----".Length)] + "\n";
        if (EcdsaP256.TryImportPublic(pem) is not { } key)
        {
            throw new UsageException($"{flag} {path} is not an ECDSA P-256 public key.");
        }

        key.Dispose();
        return pem;
    }

    private static void WriteJson<T>(TextWriter output, T value, JsonTypeInfo<T> typeInfo)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, WriterOptions))
        {
            JsonSerializer.Serialize(writer, value, typeInfo);
        }

        output.WriteLine(System.Text.Encoding.UTF8.GetString(buffer.ToArray()));
    }
}
