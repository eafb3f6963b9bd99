using System.CommandLine;
using System.Globalization;
using Otter.Cli.Cli;
using Otter.Protocol;
using Otter.Protocol.Incidents;

namespace Otter.Cli.Commands;

/// <summary><c>otter incident list|show|note|close|evidence</c>: incidents, their timelines and their evidence.</summary>
internal static class IncidentCommand
{
    public static Command Create(CliEnvironment environment)
    {
        var command = new Command("incident", "Incidents: what fired, what was done, the evidence and the post-mortem.");
        command.Subcommands.Add(List(environment));
        command.Subcommands.Add(Show(environment));
        command.Subcommands.Add(Note(environment));
        command.Subcommands.Add(Close(environment));
        command.Subcommands.Add(Evidence(environment));
        return command;
    }

    private static Argument<long> IdArgument() => new("ID") { Description = "The incident id." };

    private static Command List(CliEnvironment environment)
    {
        var status = new Option<string>("--status") { Description = "open or closed." };
        var device = new Option<string>("--device") { Description = "Only this device's incidents." };
        var json = KeysCommand.JsonOption();
        var server = new ServerOptions();
        var command = server.AddTo(new Command("list", "List incidents, newest first.") { status, device, json });
        command.SetAction(async (parse, cancellationToken) =>
        {
            var wanted = parse.GetValue(status);
            if (wanted is not null and not IncidentStatuses.Open and not IncidentStatuses.Closed)
            {
                throw new UsageException($"--status {wanted} is not open or closed.");
            }

            using var client = server.Connect(parse, environment);
            var query = "api/v1/incidents?limit=1000"
                + (wanted is null ? string.Empty : "&status=" + wanted)
                + (parse.GetValue(device) is { } id ? "&device=" + Uri.EscapeDataString(id) : string.Empty);
            var incidents = await client.GetAsync(query, ProtocolJsonContext.Default.ListIncidentView, cancellationToken);
            if (parse.GetValue(json))
            {
                Output.Json(environment.Output, incidents, ProtocolJsonContext.Default.ListIncidentView);
                return ExitCodes.Success;
            }

            if (incidents.Count == 0)
            {
                environment.Output.WriteLine("no incidents.");
                return ExitCodes.Success;
            }

            var table = new TextTable("ID", "DEVICE", "KIND", "SEVERITY", "STATUS", "OPENED", "TITLE");
            foreach (var incident in incidents)
            {
                table.Add(Number(incident.Id), incident.DeviceId, incident.Kind, incident.Severity, incident.Status, Output.Date(incident.OpenedAt), incident.Title);
            }

            table.WriteTo(environment.Output);
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command Show(CliEnvironment environment)
    {
        var id = IdArgument();
        var json = KeysCommand.JsonOption();
        var server = new ServerOptions();
        var command = server.AddTo(new Command("show", "Show one incident with its timeline and chain-of-custody records.") { id, json });
        command.SetAction(async (parse, cancellationToken) =>
        {
            using var client = server.Connect(parse, environment);
            var incident = await client.GetAsync($"api/v1/incidents/{Number(parse.GetValue(id))}", ProtocolJsonContext.Default.IncidentView, cancellationToken);
            Write(environment, parse.GetValue(json), incident);
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command Note(CliEnvironment environment)
    {
        var id = IdArgument();
        var phase = new Option<string>("--phase") { Description = $"One of {string.Join(", ", IncidentPhases.All.Order(StringComparer.Ordinal))}.", DefaultValueFactory = _ => IncidentPhases.Investigation };
        var text = new Option<string>("--text") { Description = "The note.", Required = true };
        var json = KeysCommand.JsonOption();
        var server = new ServerOptions();
        var command = server.AddTo(new Command("note", "Add a note to an incident's timeline.") { id, phase, text, json });
        command.SetAction(async (parse, cancellationToken) =>
        {
            using var client = server.Connect(parse, environment);
            var incident = await client.PostAsync(
                $"api/v1/incidents/{Number(parse.GetValue(id))}/notes",
                new IncidentNoteRequest { Phase = parse.GetValue(phase)!, Text = parse.GetValue(text)! },
                ProtocolJsonContext.Default.IncidentNoteRequest,
                ProtocolJsonContext.Default.IncidentView,
                cancellationToken);
            Write(environment, parse.GetValue(json), incident);
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command Close(CliEnvironment environment)
    {
        var id = IdArgument();
        var cause = new Option<string>("--root-cause") { Description = "What caused the incident.", Required = true };
        var prevention = new Option<string>("--prevention") { Description = "What keeps it from happening again.", Required = true };
        var json = KeysCommand.JsonOption();
        var server = new ServerOptions();
        var command = server.AddTo(new Command("close", "Close an incident with its post-mortem.") { id, cause, prevention, json });
        command.SetAction(async (parse, cancellationToken) =>
        {
            using var client = server.Connect(parse, environment);
            var incident = await client.PostAsync(
                $"api/v1/incidents/{Number(parse.GetValue(id))}/close",
                new IncidentCloseRequest { RootCause = parse.GetValue(cause)!, Prevention = parse.GetValue(prevention)! },
                ProtocolJsonContext.Default.IncidentCloseRequest,
                ProtocolJsonContext.Default.IncidentView,
                cancellationToken);
            Write(environment, parse.GetValue(json), incident);
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command Evidence(CliEnvironment environment)
    {
        var id = IdArgument();
        var output = new Option<string>("--out") { Description = "The directory to export to (created if missing).", Required = true };
        var json = KeysCommand.JsonOption();
        var server = new ServerOptions();
        var command = server.AddTo(new Command("evidence", "Export an incident's forensic bundles with their custody records, verifying hash and device signature.") { id, output, json });
        command.SetAction(async (parse, cancellationToken) =>
        {
            using var client = server.Connect(parse, environment);
            var incidentId = Number(parse.GetValue(id));
            var incident = await client.GetAsync($"api/v1/incidents/{incidentId}", ProtocolJsonContext.Default.IncidentView, cancellationToken);
            var directory = parse.GetValue(output)!;
            Directory.CreateDirectory(directory);
            var received = incident.Evidence.Where(e => e.ReceivedAt is not null).ToList();
            var failed = false;
            foreach (var custody in received)
            {
                var bytes = await client.GetBytesAsync($"api/v1/incidents/{incidentId}/evidence/{Number(custody.Id)}", "application/json", cancellationToken);
                var name = $"evidence-{Number(custody.Id)}";
                await File.WriteAllBytesAsync(Path.Combine(directory, name + ".bundle.json"), bytes, cancellationToken);
                await File.WriteAllBytesAsync(Path.Combine(directory, name + ".custody.json"), Output.JsonBytes(custody, ProtocolJsonContext.Default.EvidenceView), cancellationToken);
                var problem = EvidenceVerifier.Check(bytes, custody);
                failed |= problem is not null;
                if (!parse.GetValue(json))
                {
                    environment.Output.WriteLine(problem is null
                        ? $"{name}: {bytes.Length} bytes, SHA-256 {custody.Sha256}, signature by device {custody.DeviceId} verifies; requested by {custody.RequestedBy} at {Output.Date(custody.RequestedAt)}, received {Output.Date(custody.ReceivedAt)}"
                        : $"{name}: NOT VERIFIED: {problem}");
                }
            }

            if (parse.GetValue(json))
            {
                Output.Json(environment.Output, received, ProtocolJsonContext.Default.ListEvidenceView);
            }
            else if (received.Count == 0)
            {
                environment.Output.WriteLine($"incident {incidentId} has no received evidence yet ({incident.Evidence.Count} requested).");
            }

            return failed ? ExitCodes.VerificationFailed : ExitCodes.Success;
        });
        return command;
    }

    private static void Write(CliEnvironment environment, bool json, IncidentView incident)
    {
        if (json)
        {
            Output.Json(environment.Output, incident, ProtocolJsonContext.Default.IncidentView);
            return;
        }

        var writer = environment.Output;
        writer.WriteLine($"incident {Number(incident.Id)}: {incident.Title}");
        writer.WriteLine($"  device     {incident.DeviceId}");
        writer.WriteLine($"  kind       {incident.Kind} ({incident.Severity})");
        writer.WriteLine($"  status     {incident.Status}" + (incident.ClosedAt is null ? string.Empty : $" at {Output.Date(incident.ClosedAt)} by {incident.ClosedBy}"));
        writer.WriteLine($"  opened     {Output.Date(incident.OpenedAt)} by {incident.OpenedBy}");
        if (incident.RootCause is not null)
        {
            writer.WriteLine($"  root cause {incident.RootCause}");
            writer.WriteLine($"  prevention {incident.Prevention}");
        }

        var table = new TextTable("AT", "PHASE", "ACTION", "BY", "DETAIL");
        foreach (var step in incident.Timeline)
        {
            table.Add(Output.Date(step.At), step.Phase, step.Action, step.Actor, step.Detail ?? "-");
        }

        table.WriteTo(writer);
        foreach (var evidence in incident.Evidence)
        {
            writer.WriteLine($"  evidence {Number(evidence.Id)}: requested by {evidence.RequestedBy} at {Output.Date(evidence.RequestedAt)}, " + (evidence.ReceivedAt is null ? "not received yet" : $"received {Output.Date(evidence.ReceivedAt)}, SHA-256 {evidence.Sha256}"));
        }
    }

    private static string Number(long value) => value.ToString(CultureInfo.InvariantCulture);
}
