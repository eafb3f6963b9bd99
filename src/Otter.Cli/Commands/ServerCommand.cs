using System.CommandLine;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Otter.Cli.Cli;
using Otter.Server.Hosting;
using Otter.Server.Setup;

namespace Otter.Cli.Commands;

/// <summary><c>otter server init|run|trust-manufacturer</c>.</summary>
internal static class ServerCommand
{
    public static Command Create(CliEnvironment environment)
    {
        var command = new Command("server", "Create and run the fleet server (device API, management API, /repo and /log).");
        command.Subcommands.Add(Init(environment));
        command.Subcommands.Add(Run(environment));
        command.Subcommands.Add(TrustManufacturer(environment));
        return command;
    }

    private static Option<string> DataOption() => new("--data") { Description = "The server data directory.", Required = true };

    private static Command Init(CliEnvironment environment)
    {
        var data = DataOption();
        var rootKeys = new Option<string[]>("--root-key") { Description = "An offline root key (repeatable); signs the first root metadata, never stored.", Required = true, AllowMultipleArgumentsPerToken = false };
        var threshold = new Option<int>("--root-threshold") { Description = "Root signatures required.", DefaultValueFactory = _ => 1 };
        var hostname = new Option<string>("--hostname") { Description = "The server's DNS name (TLS certificate, log origin).", DefaultValueFactory = _ => "localhost" };
        var targets = new Option<string>("--targets-key") { Description = "Existing targets key (file or pkcs11: URI); generated when absent." };
        var snapshot = new Option<string>("--snapshot-key") { Description = "Existing snapshot key; generated when absent." };
        var timestamp = new Option<string>("--timestamp-key") { Description = "Existing timestamp key; generated when absent." };
        var logKey = new Option<string>("--log-key") { Description = "Existing transparency log key; generated when absent." };
        var database = new Option<string>("--database") { Description = "postgres://user:password@host:port/db (an empty database); SQLite in the data directory when absent." };
        var apiUrl = new Option<string>("--api-url") { Description = "Management API URL to record (default https://127.0.0.1:8443)." };
        var deviceUrl = new Option<string>("--device-url") { Description = "Device API URL to record (default https://127.0.0.1:8444)." };
        var approval = new Option<bool>("--require-approval") { Description = "Keep enrolling devices pending until `otter device approve`." };
        var command = new Command("init", "Create a server data directory and print a bootstrap admin API key once.")
        {
            data, rootKeys, threshold, hostname, targets, snapshot, timestamp, logKey, database, apiUrl, deviceUrl, approval,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            using var keys = new KeySet(environment.Passphrases);
            var result = await ServerInitializer.InitAsync(
                new ServerInitOptions
                {
                    DataDirectory = parse.GetValue(data)!,
                    RootKeys = keys.OpenAll(parse.GetValue(rootKeys), "--root-key"),
                    RootThreshold = parse.GetValue(threshold),
                    Hostname = parse.GetValue(hostname)!,
                    TargetsKey = parse.GetValue(targets),
                    SnapshotKey = parse.GetValue(snapshot),
                    TimestampKey = parse.GetValue(timestamp),
                    LogKey = parse.GetValue(logKey),
                    Database = parse.GetValue(database),
                    ApiUrl = parse.GetValue(apiUrl),
                    DeviceUrl = parse.GetValue(deviceUrl),
                    RequireApproval = parse.GetValue(approval),
                },
                environment.Passphrases,
                environment.Time,
                cancellationToken);
            environment.Output.WriteLine($"created server data directory {result.DataDirectory}");
            foreach (var key in result.GeneratedKeys)
            {
                environment.Output.WriteLine($"  generated key {key}");
            }

            environment.Output.WriteLine($"log origin:   {result.LogOrigin}");
            environment.Output.WriteLine($"device trust: {result.DeviceTrustDirectory} (otter-agent provision --trust ...)");
            environment.Output.WriteLine($"dev factory:  {result.DevFactoryDirectory} (NOT FOR PRODUCTION; otter-agent provision --factory-ca ...)");
            environment.Output.WriteLine("The admin API key below is shown once; only its hash is stored:");
            environment.Output.WriteLine($"admin-api-key: {result.AdminApiKey}");
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command Run(CliEnvironment environment)
    {
        var data = DataOption();
        var apiUrl = new Option<string>("--api-url") { Description = "Management API, /repo and /log (default from server.json, https://127.0.0.1:8443)." };
        var deviceUrl = new Option<string>("--device-url") { Description = "Device API with client certificates (default https://127.0.0.1:8444)." };
        var publicUrl = new Option<string>("--public-url") { Description = "Where devices fetch /repo and /log (default: the API URL)." };
        var database = new Option<string>("--database") { Description = "postgres://… to use PostgreSQL (or OTTER_DATABASE); SQLite by default." };
        var command = new Command("run", "Run the server until Ctrl-C.") { data, apiUrl, deviceUrl, publicUrl, database };
        command.SetAction(async (parse, cancellationToken) =>
        {
            await using var host = await OtterServerHost.CreateAsync(
                new ServerRunOptions
                {
                    DataDirectory = parse.GetValue(data)!,
                    ApiUrl = parse.GetValue(apiUrl),
                    DeviceUrl = parse.GetValue(deviceUrl),
                    PublicUrl = parse.GetValue(publicUrl),
                    Database = parse.GetValue(database),
                },
                environment.Passphrases,
                environment.Time,
                cancellationToken: cancellationToken);
            await host.StartAsync(cancellationToken);
            environment.Output.WriteLine($"otter server: management API, /repo and /log on {host.ApiUrl}; device API on {host.DeviceUrl}. Ctrl-C stops.");
            await host.WaitForShutdownAsync(cancellationToken);
            environment.Output.WriteLine("otter server: stopped");
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command TrustManufacturer(CliEnvironment environment)
    {
        var data = DataOption();
        var file = new Argument<string>("CA_PEM") { Description = "The manufacturer's CA certificate (PEM)." };
        var command = new Command("trust-manufacturer", "Trust a manufacturer CA for device enrollment (takes effect at the next start).") { data, file };
        command.SetAction(parse =>
        {
            var paths = new ServerPaths(parse.GetValue(data)!);
            _ = ServerState.ReadSettings(paths);
            var path = parse.GetValue(file)!;
            if (!File.Exists(path))
            {
                throw new UsageException($"{path} does not exist; give the manufacturer CA certificate as a PEM file.");
            }

            X509Certificate2 certificate;
            try
            {
                certificate = X509Certificate2.CreateFromPem(File.ReadAllText(path));
            }
            catch (CryptographicException ex)
            {
                throw new UsageException($"{path} is not a PEM certificate: {ex.Message}");
            }

            using (certificate)
            {
                var isCa = certificate.Extensions.OfType<X509BasicConstraintsExtension>().Any(b => b.CertificateAuthority);
                if (!isCa)
                {
                    throw new UsageException($"{path} is not a CA certificate (no basic constraints CA:true); give the CA that issues factory certificates.");
                }

                Directory.CreateDirectory(paths.Manufacturers);
                var target = Path.Combine(paths.Manufacturers, certificate.Thumbprint.ToLowerInvariant() + ".pem");
                Otter.Trust.IO.DurableFiles.WriteAtomic(target, System.Text.Encoding.ASCII.GetBytes(certificate.ExportCertificatePem() + "\n"));
                environment.Output.WriteLine($"trusted manufacturer CA {certificate.Subject} (SHA-1 {certificate.Thumbprint}) as {target}; restart the server to use it");
            }

            return ExitCodes.Success;
        });
        return command;
    }
}
