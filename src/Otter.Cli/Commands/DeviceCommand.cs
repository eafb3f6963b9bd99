using System.CommandLine;
using System.Globalization;
using Otter.Cli.Cli;
using Otter.Protocol;
using Otter.Protocol.Management;

namespace Otter.Cli.Commands;

/// <summary><c>otter device list|show|approve|tag|assign|decommission|events</c> against the fleet server.</summary>
internal static class DeviceCommand
{
    // The server's largest page; fewer rows back means the last page.
    private const int PageSize = 1000;

    private static readonly string[] Statuses = [DeviceStatuses.Pending, DeviceStatuses.Approved, DeviceStatuses.Quarantined, DeviceStatuses.Wiped, DeviceStatuses.Decommissioned];

    public static Command Create(CliEnvironment environment)
    {
        var command = new Command("device", "Inventory and control of enrolled devices.");
        command.Subcommands.Add(List(environment));
        command.Subcommands.Add(Show(environment));
        command.Subcommands.Add(Approve(environment));
        command.Subcommands.Add(Tag(environment));
        command.Subcommands.Add(Assign(environment));
        command.Subcommands.Add(Decommission(environment));
        command.Subcommands.Add(Events(environment));
        DeviceOrderCommands.AddTo(command, environment);
        return command;
    }

    private static Argument<string> IdArgument() => new("ID") { Description = "The device id (its factory serial)." };

    private static Command List(CliEnvironment environment)
    {
        var status = new Option<string>("--status") { Description = $"Only devices in this status: {string.Join(", ", Statuses)}." };
        var tag = new Option<string>("--tag") { Description = "Only devices with this tag." };
        var json = KeysCommand.JsonOption();
        var server = new ServerOptions();
        var command = server.AddTo(new Command("list", "List devices ordered by id (all pages).") { status, tag, json });
        command.SetAction(async (parse, cancellationToken) =>
        {
            var wanted = parse.GetValue(status);
            if (wanted is not null && !Statuses.Contains(wanted))
            {
                throw new UsageException($"--status {wanted} is not one of {string.Join(", ", Statuses)}.");
            }

            var wantedTag = parse.GetValue(tag);
            if (wantedTag is { Length: 0 })
            {
                throw new UsageException("--tag is empty; give a tag name.");
            }

            using var client = server.Connect(parse, environment);
            var devices = new List<DeviceView>();
            string? after = null;
            while (true)
            {
                var query = $"api/v1/devices?limit={PageSize}"
                    + (wanted is null ? string.Empty : "&status=" + Uri.EscapeDataString(wanted))
                    + (wantedTag is null ? string.Empty : "&tag=" + Uri.EscapeDataString(wantedTag))
                    + (after is null ? string.Empty : "&after=" + Uri.EscapeDataString(after));
                var page = await client.GetAsync(query, ProtocolJsonContext.Default.ListDeviceView, cancellationToken);
                devices.AddRange(page);
                if (page.Count < PageSize)
                {
                    break;
                }

                if (page[^1].Id == after)
                {
                    // A page that does not move forward would loop for ever.
                    throw new ServerException($"the server returned the page after {after} again; its device paging is broken.", ExitCodes.VerificationFailed);
                }

                after = page[^1].Id;
            }

            if (parse.GetValue(json))
            {
                Output.Json(environment.Output, devices, ProtocolJsonContext.Default.ListDeviceView);
                return ExitCodes.Success;
            }

            if (devices.Count == 0)
            {
                environment.Output.WriteLine(wanted is null && wantedTag is null ? "no devices enrolled yet." : "no devices match.");
                return ExitCodes.Success;
            }

            var table = new TextTable("ID", "HARDWARE", "STATUS", "VERSION", "COUNTER", "LAST SEEN", "ATTESTATION", "ASSIGNED", "TAGS");
            foreach (var device in devices)
            {
                table.Add(
                    device.Id,
                    device.Hardware,
                    device.Status,
                    ActiveVersion(device) ?? "-",
                    Output.Number(device.SecurityCounter),
                    Output.Date(device.LastSeen),
                    device.Attestation,
                    Assignment(device),
                    device.Tags.Count == 0 ? "-" : string.Join(",", device.Tags));
            }

            table.WriteTo(environment.Output);
            environment.Output.WriteLine($"{devices.Count} device{(devices.Count == 1 ? string.Empty : "s")}");
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command Show(CliEnvironment environment)
    {
        var id = IdArgument();
        var json = KeysCommand.JsonOption();
        var server = new ServerOptions();
        var command = server.AddTo(new Command("show", "Show one device: slots and versions, security counter, last seen, attestation, assignment.") { id, json });
        command.SetAction(async (parse, cancellationToken) =>
        {
            using var client = server.Connect(parse, environment);
            var device = await client.GetAsync(DevicePath(parse.GetValue(id)!), ProtocolJsonContext.Default.DeviceView, cancellationToken);
            if (parse.GetValue(json))
            {
                Output.Json(environment.Output, device, ProtocolJsonContext.Default.DeviceView);
            }
            else
            {
                WriteDevice(environment.Output, device);
            }

            return ExitCodes.Success;
        });
        return command;
    }

    private static Command Approve(CliEnvironment environment) =>
        Action(environment, "approve", "Approve a pending device; it gets its fleet certificate when it next enrolls.", "approve", "approved {0}: status {1}");

    private static Command Decommission(CliEnvironment environment) =>
        Action(environment, "decommission", "Retire a device for good: its certificate and token stop working, its assignment is dropped.", "decommission", "decommissioned {0}: its credentials no longer work");

    private static Command Action(CliEnvironment environment, string name, string description, string endpoint, string done)
    {
        var id = IdArgument();
        var json = KeysCommand.JsonOption();
        var server = new ServerOptions();
        var command = server.AddTo(new Command(name, description) { id, json });
        command.SetAction(async (parse, cancellationToken) =>
        {
            using var client = server.Connect(parse, environment);
            var device = await client.PostAsync($"{DevicePath(parse.GetValue(id)!)}/{endpoint}", ProtocolJsonContext.Default.DeviceView, cancellationToken);
            if (parse.GetValue(json))
            {
                Output.Json(environment.Output, device, ProtocolJsonContext.Default.DeviceView);
            }
            else
            {
                environment.Output.WriteLine(string.Format(CultureInfo.InvariantCulture, done, device.Id, device.Status));
            }

            return ExitCodes.Success;
        });
        return command;
    }

    private static Command Tag(CliEnvironment environment)
    {
        var id = IdArgument();
        var add = new Option<string[]>("--add") { Description = "A tag to add (repeatable)." };
        var remove = new Option<string[]>("--remove") { Description = "A tag to remove (repeatable)." };
        var attributes = new Option<string[]>("--attr") { Description = "An attribute to set, KEY=VALUE (repeatable)." };
        var unset = new Option<string[]>("--unset-attr") { Description = "An attribute to remove (repeatable)." };
        var json = KeysCommand.JsonOption();
        var server = new ServerOptions();
        var command = server.AddTo(new Command("tag", "Add or remove a device's tags and attributes.") { id, add, remove, attributes, unset, json });
        command.SetAction(async (parse, cancellationToken) =>
        {
            var adding = parse.GetValue(add) ?? [];
            var removing = parse.GetValue(remove) ?? [];
            var unsetting = parse.GetValue(unset) ?? [];
            var changes = new Dictionary<string, string?>(StringComparer.Ordinal);
            foreach (var pair in parse.GetValue(attributes) ?? [])
            {
                var equals = pair.IndexOf('=', StringComparison.Ordinal);
                if (equals <= 0)
                {
                    throw new UsageException($"--attr \"{pair}\" is not KEY=VALUE; write e.g. --attr site=berlin.");
                }

                if (!changes.TryAdd(pair[..equals], pair[(equals + 1)..]))
                {
                    throw new UsageException($"--attr sets {pair[..equals]} twice; give each attribute once.");
                }
            }

            foreach (var key in unsetting)
            {
                if (!changes.TryAdd(key, null))
                {
                    throw new UsageException($"attribute {key} is both set and unset; give it to --attr or --unset-attr, not both.");
                }
            }

            if (adding.Intersect(removing, StringComparer.Ordinal).FirstOrDefault() is { } both)
            {
                throw new UsageException($"tag {both} is both added and removed; give it to --add or --remove, not both.");
            }

            if (adding.Length + removing.Length + changes.Count == 0)
            {
                throw new UsageException("nothing to change; give --add TAG, --remove TAG, --attr KEY=VALUE or --unset-attr KEY.");
            }

            using var client = server.Connect(parse, environment);
            var request = new TagRequest { Add = adding, Remove = removing, Attributes = changes };
            var device = await client.PostAsync($"{DevicePath(parse.GetValue(id)!)}/tags", request, ProtocolJsonContext.Default.TagRequest, ProtocolJsonContext.Default.DeviceView, cancellationToken);
            if (parse.GetValue(json))
            {
                Output.Json(environment.Output, device, ProtocolJsonContext.Default.DeviceView);
            }
            else
            {
                environment.Output.WriteLine($"{device.Id}: tags {Tags(device)}; attributes {Attributes(device)}");
            }

            return ExitCodes.Success;
        });
        return command;
    }

    private static Command Assign(CliEnvironment environment)
    {
        var id = IdArgument();
        var release = new Option<string>("--release") { Description = "The release to install (its name from `otter release list`).", Required = true };
        var json = KeysCommand.JsonOption();
        var server = new ServerOptions();
        var command = server.AddTo(new Command("assign", "Assign a release to a device; it installs it at its next check-in.") { id, release, json });
        command.SetAction(async (parse, cancellationToken) =>
        {
            var releaseName = parse.GetValue(release)!;
            if (string.IsNullOrWhiteSpace(releaseName))
            {
                throw new UsageException("--release is empty; give a release name from `otter release list`.");
            }

            using var client = server.Connect(parse, environment);
            var device = await client.PostAsync(
                $"{DevicePath(parse.GetValue(id)!)}/assignment",
                new AssignmentRequest { Release = releaseName },
                ProtocolJsonContext.Default.AssignmentRequest,
                ProtocolJsonContext.Default.DeviceView,
                cancellationToken);
            if (parse.GetValue(json))
            {
                Output.Json(environment.Output, device, ProtocolJsonContext.Default.DeviceView);
            }
            else
            {
                environment.Output.WriteLine($"assigned {device.AssignedRelease} to {device.Id} ({device.AssignmentState}); it installs at its next check-in");
            }

            return ExitCodes.Success;
        });
        return command;
    }

    private static Command Events(CliEnvironment environment)
    {
        var id = IdArgument();
        var json = KeysCommand.JsonOption();
        var server = new ServerOptions();
        var command = server.AddTo(new Command("events", "A device's recent events, newest first: enrollment, reports, attestation, refused clones.") { id, json });
        command.SetAction(async (parse, cancellationToken) =>
        {
            var deviceId = parse.GetValue(id)!;
            using var client = server.Connect(parse, environment);
            var events = await client.GetAsync($"{DevicePath(deviceId)}/events", ProtocolJsonContext.Default.ListDeviceEventView, cancellationToken);
            if (parse.GetValue(json))
            {
                Output.Json(environment.Output, events, ProtocolJsonContext.Default.ListDeviceEventView);
                return ExitCodes.Success;
            }

            if (events.Count == 0)
            {
                environment.Output.WriteLine($"no events for {deviceId}; `otter device list` shows enrolled devices.");
                return ExitCodes.Success;
            }

            var table = new TextTable("AT", "KIND", "DETAIL");
            foreach (var evt in events)
            {
                table.Add(Output.Date(evt.At), evt.Kind, evt.Detail ?? "-");
            }

            table.WriteTo(environment.Output);
            return ExitCodes.Success;
        });
        return command;
    }

    internal static string DevicePath(string id)
    {
        if (string.IsNullOrWhiteSpace(id))
        {
            throw new UsageException("the device ID is empty; `otter device list` shows the ids.");
        }

        return "api/v1/devices/" + Uri.EscapeDataString(id);
    }

    private static void WriteDevice(TextWriter output, DeviceView device)
    {
        output.WriteLine($"device:           {device.Id}");
        output.WriteLine($"hardware:         {device.Hardware}");
        output.WriteLine($"status:           {device.Status}");
        output.WriteLine($"enrolled:         {Output.Date(device.EnrolledAt)}");
        output.WriteLine($"last seen:        {(device.LastSeen is null ? "never" : Output.Date(device.LastSeen))}");
        output.WriteLine($"health:           {device.Health ?? "-"}");
        output.WriteLine($"security counter: {Output.Number(device.SecurityCounter)}");
        output.WriteLine($"active slot:      {device.ActiveSlot ?? "-"}");
        if (device.Slots.Count == 0)
        {
            output.WriteLine("slots:            none reported yet");
        }
        else
        {
            output.WriteLine("slots:");
            foreach (var (name, slot) in device.Slots.OrderBy(s => s.Key, StringComparer.Ordinal))
            {
                var active = name == device.ActiveSlot ? " (active)" : string.Empty;
                output.WriteLine($"  {name}{active}: {slot.State}, version {slot.Version ?? "-"}, counter {Output.Number(slot.SecurityCounter)}{(slot.Target is null ? string.Empty : ", from " + slot.Target)}");
            }
        }

        output.WriteLine($"attestation:      {device.Attestation}{(device.AttestationDetail is null ? string.Empty : " (" + device.AttestationDetail + ")")}");
        output.WriteLine($"measurement:      {device.Measurement ?? "-"}");
        output.WriteLine($"assigned:         {Assignment(device)}");
        if (device.LastResult is { } result)
        {
            var parts = new[] { result.Slot is null ? null : "slot " + result.Slot, result.Version is null ? null : "version " + result.Version, result.At is null ? null : Output.Date(result.At) };
            var where = string.Join(", ", parts.Where(p => p is not null));
            output.WriteLine($"last result:      {result.Outcome}{(where.Length == 0 ? string.Empty : " (" + where + ")")}{(result.Detail is null ? string.Empty : ": " + result.Detail)}");
        }
        else
        {
            output.WriteLine("last result:      -");
        }

        output.WriteLine($"tags:             {Tags(device)}");
        output.WriteLine($"attributes:       {Attributes(device)}");
    }

    private static string? ActiveVersion(DeviceView device) =>
        device.ActiveSlot is { } slot && device.Slots.TryGetValue(slot, out var report) ? report.Version : null;

    private static string Assignment(DeviceView device) =>
        device.AssignedRelease is null ? "-" : $"{device.AssignedRelease} ({device.AssignmentState ?? "pending"})";

    private static string Tags(DeviceView device) => device.Tags.Count == 0 ? "-" : string.Join(", ", device.Tags);

    private static string Attributes(DeviceView device) =>
        device.Attributes.Count == 0 ? "-" : string.Join(", ", device.Attributes.OrderBy(a => a.Key, StringComparer.Ordinal).Select(a => $"{a.Key}={a.Value}"));
}
