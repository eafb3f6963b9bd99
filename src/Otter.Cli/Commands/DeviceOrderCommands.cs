using System.CommandLine;
using Otter.Cli.Cli;
using Otter.Protocol;
using Otter.Protocol.Incidents;

namespace Otter.Cli.Commands;

/// <summary><c>otter device quarantine|unquarantine|reimage|collect|wipe</c>: containment and remediation orders.</summary>
internal static class DeviceOrderCommands
{
    public static void AddTo(Command device, CliEnvironment environment)
    {
        ArgumentNullException.ThrowIfNull(device);
        device.Subcommands.Add(Reasoned(environment, "quarantine", "Quarantine a device: its credentials then reach only the remediation endpoints; rollouts skip it.", required: true));
        device.Subcommands.Add(Reasoned(environment, "unquarantine", "Release a device from quarantine (explicit and audited).", required: true));
        device.Subcommands.Add(Reasoned(environment, "wipe", "Revoke the device's certificate and tokens and tell it to crypto-erase and re-enroll as a new identity.", required: false));
        device.Subcommands.Add(Reimage(environment));
        device.Subcommands.Add(Collect(environment));
    }

    private static Argument<string> IdArgument() => new("ID") { Description = "The device id (its factory serial)." };

    private static Command Reasoned(CliEnvironment environment, string name, string description, bool required)
    {
        var id = IdArgument();
        var reason = new Option<string>("--reason") { Description = "Why; recorded in the incident timeline and the audit log.", Required = required };
        var json = KeysCommand.JsonOption();
        var server = new ServerOptions();
        var command = server.AddTo(new Command(name, description) { id, reason, json });
        command.SetAction(async (parse, cancellationToken) =>
        {
            var why = parse.GetValue(reason);
            if (required && string.IsNullOrWhiteSpace(why))
            {
                throw new UsageException($"--reason is empty; say why the device is {name}d.");
            }

            using var client = server.Connect(parse, environment);
            var path = $"{DeviceCommand.DevicePath(parse.GetValue(id)!)}/{name}";
            var result = why is null
                ? await client.PostAsync(path, ProtocolJsonContext.Default.DeviceOrderView, cancellationToken)
                : await client.PostAsync(path, new QuarantineRequest { Reason = why }, ProtocolJsonContext.Default.QuarantineRequest, ProtocolJsonContext.Default.DeviceOrderView, cancellationToken);
            return Write(environment, parse.GetValue(json), result);
        });
        return command;
    }

    private static Command Reimage(CliEnvironment environment)
    {
        var id = IdArgument();
        var release = new Option<string>("--release") { Description = "The known-good release to install in both slots.", Required = true };
        var reason = new Option<string>("--reason") { Description = "Why (optional)." };
        var json = KeysCommand.JsonOption();
        var server = new ServerOptions();
        var command = server.AddTo(new Command("reimage", "Force a known-good release into both slots, regardless of maintenance windows and rollout waves.") { id, release, reason, json });
        command.SetAction(async (parse, cancellationToken) =>
        {
            using var client = server.Connect(parse, environment);
            var result = await client.PostAsync(
                $"{DeviceCommand.DevicePath(parse.GetValue(id)!)}/reimage",
                new ReimageRequest { Release = parse.GetValue(release)!, Reason = parse.GetValue(reason) },
                ProtocolJsonContext.Default.ReimageRequest,
                ProtocolJsonContext.Default.DeviceOrderView,
                cancellationToken);
            return Write(environment, parse.GetValue(json), result);
        });
        return command;
    }

    private static Command Collect(CliEnvironment environment)
    {
        var id = IdArgument();
        var json = KeysCommand.JsonOption();
        var server = new ServerOptions();
        var command = server.AddTo(new Command("collect", "Ask the device for a forensic bundle signed with its key (stored write-once with a chain of custody).") { id, json });
        command.SetAction(async (parse, cancellationToken) =>
        {
            using var client = server.Connect(parse, environment);
            var result = await client.PostAsync($"{DeviceCommand.DevicePath(parse.GetValue(id)!)}/collect", ProtocolJsonContext.Default.DeviceOrderView, cancellationToken);
            return Write(environment, parse.GetValue(json), result);
        });
        return command;
    }

    private static int Write(CliEnvironment environment, bool json, DeviceOrderView result)
    {
        if (json)
        {
            Output.Json(environment.Output, result, ProtocolJsonContext.Default.DeviceOrderView);
        }
        else
        {
            environment.Output.WriteLine(result.Message);
        }

        return ExitCodes.Success;
    }
}
