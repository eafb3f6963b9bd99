using System.CommandLine;
using System.Security.Cryptography;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Otter.Trust.Attestation;
using Otter.Agent.Boot;
using Otter.Agent.Fleet;
using Otter.Agent.Health;
using Otter.Agent.Platform;
using Otter.Agent.Transport;
using Otter.Agent.Update;
using Otter.Trust;
using Otter.Trust.Keys;

namespace Otter.Agent.Cli;

/// <summary>The <c>otter-agent</c> command: provision, install, boot, status, quote, run. Exit 0 ok, 1 refused or failed verification, 2 bad usage.</summary>
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
            Run(environment),
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
        var trust = new Option<string>("--trust") { Description = "A fleet server's device-trust folder (root.json, log.pub, log-origin, ca.pem), in place of --trusted-root, --log-key, --log-origin and --server-ca." };
        var trustedRoot = new Option<string>("--trusted-root") { Description = "The TUF root metadata the device starts from." };
        var logKey = new Option<string>("--log-key") { Description = "The transparency log's public PEM." };
        var logOrigin = new Option<string>("--log-origin") { Description = "The transparency log's origin." };
        var serverCa = new Option<string>("--server-ca") { Description = "The fleet CA certificate (PEM) the fleet server's TLS certificate must chain to; without it the device stays offline." };
        var factoryCa = new Option<string>("--factory-ca") { Description = "A development manufacturer CA folder (ca.pem, unencrypted ca.key) that issues the device a new factory identity." };
        var factoryCert = new Option<string>("--factory-cert") { Description = "The device's existing factory identity certificate (PEM, CN = device id)." };
        var factoryKey = new Option<string>("--factory-key") { Description = "The existing factory identity key (file or pkcs11: URI)." };
        var id = new Option<string>("--id") { Description = "The device serial (from --factory-cert's CN, or generated, when absent)." };
        var key = new Option<string>("--key") { Description = "An existing device key (file or pkcs11: URI); a new one is generated when absent." };
        var probeCommand = new Option<string[]>("--probe-command") { Description = "A health probe command for trial boots (repeatable; OTTER_SLOT_DIR is set)." };
        var probeUrl = new Option<string[]>("--probe-url") { Description = "A health probe URL that must answer 2xx (repeatable)." };
        var attempts = new Option<int>("--boot-attempts") { Description = "Trial boots per install.", DefaultValueFactory = _ => 3 };
        var command = new Command("provision", "Create a device: fuse the boot key hash, store the trust anchors, make the device key (and a factory identity). Installs nothing.")
        {
            device, hardware, bootKey, trust, trustedRoot, logKey, logOrigin, serverCa, factoryCa, factoryCert, factoryKey, id, key, probeCommand, probeUrl, attempts,
        };
        command.SetAction(parse =>
        {
            var directory = parse.GetValue(device)!;
            var probes = (parse.GetValue(probeCommand) ?? []).Select(c => new HealthProbe { Command = c })
                .Concat((parse.GetValue(probeUrl) ?? []).Select(u => new HealthProbe { Url = u }))
                .ToList();
            var anchors = parse.GetValue(trust) is { } trustDirectory
                ? ReadTrustDirectory(trustDirectory, [(trustedRoot, parse.GetValue(trustedRoot)), (logKey, parse.GetValue(logKey)), (logOrigin, parse.GetValue(logOrigin)), (serverCa, parse.GetValue(serverCa))])
                : ReadTrustFlags(parse.GetValue(trustedRoot), parse.GetValue(logKey), parse.GetValue(logOrigin), parse.GetValue(serverCa));
            var (factoryCaCertificate, factoryCaKey) = parse.GetValue(factoryCa) is { } factoryCaDirectory
                ? ReadFactoryCa(factoryCaDirectory, parse.GetValue(factoryCert), parse.GetValue(factoryKey))
                : (null, null);
            var factoryCertificate = parse.GetValue(factoryCert);
            if ((factoryCertificate is null) != (parse.GetValue(factoryKey) is null))
            {
                throw new UsageException("--factory-cert and --factory-key go together: the device's factory identity certificate and its key.");
            }

            var request = new ProvisioningRequest
            {
                Hardware = parse.GetValue(hardware)!,
                BootKeyPem = ReadPublicPem(parse.GetValue(bootKey)!, "--boot-key"),
                TrustedRoot = anchors.TrustedRoot,
                LogKeyPem = anchors.LogKeyPem,
                LogOrigin = anchors.LogOrigin,
                ServerCaPem = anchors.ServerCaPem,
                FactoryCaCertificatePem = factoryCaCertificate,
                FactoryCaKeyPem = factoryCaKey,
                FactoryCertificatePem = factoryCertificate is null ? null : ReadText(factoryCertificate, "--factory-cert", 64 * 1024),
                FactoryKey = parse.GetValue(factoryKey),
                Id = parse.GetValue(id),
                Key = parse.GetValue(key),
                BootAttempts = parse.GetValue(attempts),
                Health = new HealthConfig { Probes = probes },
            };
            DeviceIdentity identity;
            try
            {
                identity = DeviceProvisioner.Provision(directory, request, environment.Passphrases, environment.Time);
            }
            catch (AgentException ex)
            {
                // Provisioning refuses only its own input (a bad trust anchor, a used directory): bad usage, exit 2.
                throw new UsageException(ex.Message, ex);
            }

            var fleet = new List<string>();
            if (request.ServerCaPem is not null)
            {
                fleet.Add("fleet CA stored");
            }

            if (identity.FactoryCertificate is not null)
            {
                fleet.Add(request.FactoryCaCertificatePem is null ? "factory identity stored" : "factory identity issued");
            }

            var extra = fleet.Count == 0 ? string.Empty : "; " + string.Join(", ", fleet);
            environment.Output.WriteLine($"provisioned device {identity.Id} ({identity.Hardware}) in {directory}{extra}; nothing installed yet");
            return 0;
        });
        return command;
    }

    private static Command Run(AgentCliEnvironment environment)
    {
        var device = DeviceOption();
        var server = new Option<string>("--server") { Description = "The fleet server's device API URL (https).", DefaultValueFactory = _ => FleetAgentOptions.DefaultServer.AbsoluteUri };
        var interval = new Option<int>("--interval") { Description = "Seconds between cycles (±10% jitter).", DefaultValueFactory = _ => 60 };
        var once = new Option<bool>("--once") { Description = "Run one cycle and exit: 0 all went through, 1 refused, pending or failed." };
        var token = new Option<bool>("--token") { Description = "Authenticate with signed device tokens instead of the fleet client certificate." };
        var command = new Command("run", "Enroll with a fleet server, check in, and install, boot and report the updates it assigns; repeat until stopped.") { device, server, interval, once, token };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var directory = parse.GetValue(device)!;
            var serverText = parse.GetValue(server)!;
            if (!Uri.TryCreate(serverText, UriKind.Absolute, out var serverUri) || serverUri.Scheme != Uri.UriSchemeHttps)
            {
                throw new UsageException($"--server {serverText} is not an https URL; give the fleet server's device API, e.g. {FleetAgentOptions.DefaultServer}.");
            }

            var seconds = parse.GetValue(interval);
            if (seconds is < 1 or > 86400)
            {
                throw new UsageException($"--interval {seconds} is out of range; give 1 to 86400 seconds.");
            }

            if (!Directory.Exists(directory))
            {
                throw new UsageException($"--device {directory} does not exist; create it with `otter-agent provision`.");
            }

            var options = new FleetAgentOptions { Server = serverUri, Interval = TimeSpan.FromSeconds(seconds), UseToken = parse.GetValue(token) };
            FleetAgent agent;
            try
            {
                agent = FleetAgent.Open(directory, environment.Passphrases, options, environment.Time, environment.Output, environment.Error);
            }
            catch (AgentException ex)
            {
                // How the device was provisioned, not a passing failure: no retry would help.
                throw new UsageException(ex.Message, ex);
            }

            using (agent)
            {
                if (parse.GetValue(once))
                {
                    try
                    {
                        return (await agent.RunOnceAsync(cancellationToken)).Succeeded ? 0 : 1;
                    }
                    catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
                    {
                        // Every step is crash-safe: an interrupted cycle leaves a device that boots and retries.
                        await environment.Error.WriteLineAsync("otter-agent: stopped before the cycle finished; run again to complete it.");
                        return 1;
                    }
                }

                await agent.RunAsync(cancellationToken);
                return 0;
            }
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
            if (!DeviceAttestation.IsValidNonce(nonceText))
            {
                throw new UsageException("--nonce must be 8 to 64 bytes of hex (16 to 128 hex digits).");
            }

            var platform = Open(parse.GetValue(device)!, environment);
            var quote = DeviceAttestation.Quote(platform, nonceText);
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

    private static TrustAnchors ReadTrustFlags(string? trustedRoot, string? logKey, string? logOrigin, string? serverCa)
    {
        var missing = new[] { ("--trusted-root", trustedRoot), ("--log-key", logKey), ("--log-origin", logOrigin) }.Where(f => f.Item2 is null).Select(f => f.Item1).ToList();
        if (missing.Count > 0)
        {
            throw new UsageException($"give --trust DIR (a fleet server's device-trust folder) or all of --trusted-root, --log-key and --log-origin; missing {string.Join(", ", missing)}.");
        }

        return new TrustAnchors(
            ReadFile(trustedRoot!, "--trusted-root", 512 * 1024),
            ReadPublicPem(logKey!, "--log-key"),
            logOrigin!,
            serverCa is null ? null : ReadText(serverCa, "--server-ca", 256 * 1024));
    }

    private static TrustAnchors ReadTrustDirectory(string directory, IEnumerable<(Option<string> Option, string? Value)> replaced)
    {
        var mixed = replaced.Where(r => r.Value is not null).Select(r => r.Option.Name).ToList();
        if (mixed.Count > 0)
        {
            throw new UsageException($"--trust replaces --trusted-root, --log-key, --log-origin and --server-ca; give --trust DIR alone, without {string.Join(", ", mixed)}.");
        }

        if (!Directory.Exists(directory))
        {
            throw new UsageException($"--trust {directory} is not a directory; give the device-trust folder a fleet server wrote.");
        }

        string FileIn(string name)
        {
            var path = Path.Combine(directory, name);
            return File.Exists(path)
                ? path
                : throw new UsageException($"--trust {directory} has no {name}; a device-trust folder holds root.json, log.pub, log-origin and ca.pem (copy the whole folder the server wrote).");
        }

        var root = FileIn("root.json");
        var logKey = FileIn("log.pub");
        var logOrigin = FileIn("log-origin");
        var ca = FileIn("ca.pem");
        var origin = ReadText(logOrigin, "--trust log-origin", 4096);
        origin = origin.EndsWith("\r\n", StringComparison.Ordinal) ? origin[..^2] : origin.EndsWith('\n') ? origin[..^1] : origin;
        if (origin.Length == 0 || origin.Contains('\n', StringComparison.Ordinal) || origin.Contains('\r', StringComparison.Ordinal))
        {
            throw new UsageException($"--trust {logOrigin} must hold the log origin on one line; it is {(origin.Length == 0 ? "empty" : "several lines")}.");
        }

        return new TrustAnchors(ReadFile(root, "--trust root.json", 512 * 1024), ReadPublicPem(logKey, "--trust log.pub"), origin, ReadText(ca, "--trust ca.pem", 256 * 1024));
    }

    private static (string Certificate, string Key) ReadFactoryCa(string directory, string? factoryCert, string? factoryKey)
    {
        if (factoryCert is not null || factoryKey is not null)
        {
            throw new UsageException("--factory-ca and --factory-cert/--factory-key are alternatives: a development CA issues a new factory identity, or the device has one already. Give one of them.");
        }

        var certificate = Path.Combine(directory, "ca.pem");
        var key = Path.Combine(directory, "ca.key");
        if (!Directory.Exists(directory) || !File.Exists(certificate) || !File.Exists(key))
        {
            throw new UsageException($"--factory-ca {directory} must be a folder with ca.pem and ca.key (the dev-factory folder a fleet server writes).");
        }

        return (ReadText(certificate, "--factory-ca ca.pem", 64 * 1024), ReadText(key, "--factory-ca ca.key", 64 * 1024));
    }

    private static string ReadText(string path, string flag, int limit) => System.Text.Encoding.UTF8.GetString(ReadFile(path, flag, limit));

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
