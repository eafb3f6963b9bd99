using System.CommandLine;
using System.Globalization;
using Otter.Cli.Cli;
using Otter.Protocol;
using Otter.Protocol.Rollouts;

namespace Otter.Cli.Commands;

/// <summary><c>otter rollout create|start|pause|resume|cancel|list|status</c>: phased rollouts on the fleet server.</summary>
internal static class RolloutCommand
{
    private static readonly TimeSpan DefaultInterval = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan MinInterval = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan MaxInterval = TimeSpan.FromHours(1);

    // ISO 8601 with or without seconds, fractions and offset; K takes Z, +02:00 or nothing (then UTC).
    private static readonly string[] StartAtFormats =
    [
        "yyyy-MM-dd'T'HH:mm:ss.FFFFFFFK",
        "yyyy-MM-dd'T'HH:mm:ssK",
        "yyyy-MM-dd'T'HH:mmK",
        "yyyy-MM-dd HH:mm:ssK",
        "yyyy-MM-dd HH:mmK",
    ];

    public static Command Create(CliEnvironment environment)
    {
        var command = new Command("rollout", "Phased rollouts: a release to a filtered fleet in waves, with soak, thresholds, rate limits and maintenance windows.");
        command.Subcommands.Add(CreateRollout(environment));
        command.Subcommands.Add(Action(environment, "start", "Start a created rollout; the server begins wave 1 (at --start-at, if one was given).", "started"));
        command.Subcommands.Add(Action(environment, "pause", "Pause a running rollout; devices not yet downloading wait, the rest finish.", "paused"));
        command.Subcommands.Add(Action(environment, "resume", "Resume a paused or halted rollout, or promote one awaiting manual promotion.", "resumed"));
        command.Subcommands.Add(Action(environment, "cancel", "Cancel a rollout for good; devices already updating finish, no more are started.", "cancelled"));
        command.Subcommands.Add(List(environment));
        command.Subcommands.Add(Status(environment));
        return command;
    }

    private static Argument<string> IdArgument() => new("ID") { Description = "The rollout id (from `otter rollout list`)." };

    private static Command CreateRollout(CliEnvironment environment)
    {
        var release = new Option<string>("--release") { Description = "The release to roll out (its name from `otter release list`).", Required = true };
        var filter = new Option<string>("--filter") { Description = "Which devices, e.g. 'tags has \"eu\" and version != \"2.0\"' (default: every approved device of the release's hardware)." };
        var devices = new Option<string[]>("--device") { Description = "A device to include by id, besides the filter's (repeatable).", AllowMultipleArgumentsPerToken = true };
        var waves = new Option<string>("--waves") { Description = "Comma-separated waves: cumulative percentages ending at 100, or tag:NAME groups, e.g. tag:canary,10,50,100.", Required = true };
        var success = new Option<double>("--success") { Description = "Percent of a wave that must commit before it is promoted (0-100).", DefaultValueFactory = _ => 95 };
        var errors = new Option<double>("--errors") { Description = "Percent of a wave failed, rolled back or timed out that halts the rollout (0-100).", DefaultValueFactory = _ => 5 };
        var soak = new Option<string>("--soak") { Description = "How long a wave is watched after reaching --success, before promotion (e.g. 0s, 10m, 2h).", DefaultValueFactory = _ => "10m" };
        var timeout = new Option<string>("--timeout") { Description = "How long a device has from assignment to commit before it counts as timed out (at least 1m).", DefaultValueFactory = _ => "1h" };
        var rate = new Option<string>("--rate") { Description = "At most this many devices started per unit, e.g. 100/m, 5/s, 600/h (default: no limit)." };
        var exponential = new Option<bool>("--exponential") { Description = "Double the --rate with every wave." };
        var startAt = new Option<string>("--start-at") { Description = "Do not start before this time, ISO 8601 (e.g. 2025-06-01T02:00:00Z; UTC unless it has an offset)." };
        var windows = new Option<string[]>("--window") { Description = "A maintenance window GROUP:DAYS HH:MM-HH:MM[@ZONE], e.g. \"eu:sat,sun 02:00-05:00@Europe/Berlin\"; devices tagged GROUP update only then (repeatable)." };
        var force = new Option<bool>("--force") { Description = "Ignore maintenance windows." };
        var downloadOnly = new Option<bool>("--download-only") { Description = "Devices download, verify and stage the release in their inactive slot without activating it (no reboot, so maintenance windows do not apply); a later rollout of the same release activates it without downloading again." };
        var priority = new Option<int>("--priority") { Description = "When rollouts overlap on a device, the higher priority wins (-1000 to 1000)." };
        var rollbackOnHalt = new Option<bool>("--rollback-on-halt") { Description = "On halt, send every device of the failing wave back to its previous release." };
        var manualPromotion = new Option<bool>("--manual-promotion") { Description = "Wait for `otter rollout resume ID` after each wave's soak instead of promoting automatically." };
        var json = KeysCommand.JsonOption();
        var server = new ServerOptions();
        var command = server.AddTo(new Command("create", "Create a rollout (not started): the server selects the devices and places them in waves now.")
        {
            release, filter, devices, waves, success, errors, soak, timeout, rate, exponential, startAt, windows, force, downloadOnly, priority, rollbackOnHalt, manualPromotion, json,
        });
        command.SetAction(async (parse, cancellationToken) =>
        {
            var releaseName = parse.GetValue(release)!;
            if (string.IsNullOrWhiteSpace(releaseName))
            {
                throw new UsageException("--release is empty; give a release name from `otter release list`.");
            }

            var rateText = parse.GetValue(rate);
            if (parse.GetValue(exponential) && rateText is null)
            {
                throw new UsageException("--exponential doubles the --rate with every wave; give a --rate too, e.g. --rate 100/m.");
            }

            var deviceIds = parse.GetValue(devices) ?? [];
            if (deviceIds.Any(string.IsNullOrWhiteSpace))
            {
                throw new UsageException("--device is empty; give a device id from `otter device list`.");
            }

            var request = new RolloutRequest
            {
                Release = releaseName,
                Filter = parse.GetValue(filter),
                Devices = deviceIds,
                Waves = ParseWaves(parse.GetValue(waves)!),
                SuccessPercent = parse.GetValue(success),
                ErrorPercent = parse.GetValue(errors),
                Soak = parse.GetValue(soak)!,
                InstallTimeout = parse.GetValue(timeout)!,
                Rate = rateText,
                ExponentialRate = parse.GetValue(exponential),
                StartAt = parse.GetValue(startAt) is { } start ? ParseStartAt(start) : null,
                Windows = parse.GetValue(windows) ?? [],
                Force = parse.GetValue(force),
                DownloadOnly = parse.GetValue(downloadOnly),
                Priority = parse.GetValue(priority),
                RollbackOnHalt = parse.GetValue(rollbackOnHalt),
                AutoPromote = !parse.GetValue(manualPromotion),
            };

            using var client = server.Connect(parse, environment);
            var rollout = await client.PostAsync("api/v1/rollouts", request, ProtocolJsonContext.Default.RolloutRequest, ProtocolJsonContext.Default.RolloutView, cancellationToken);
            if (parse.GetValue(json))
            {
                Output.Json(environment.Output, rollout, ProtocolJsonContext.Default.RolloutView);
            }
            else
            {
                RolloutText.WriteCreated(environment.Output, rollout);
            }

            return ExitCodes.Success;
        });
        return command;
    }

    private static Command Action(CliEnvironment environment, string action, string description, string done)
    {
        var id = IdArgument();
        var json = KeysCommand.JsonOption();
        var server = new ServerOptions();
        var command = server.AddTo(new Command(action, description) { id, json });
        command.SetAction(async (parse, cancellationToken) =>
        {
            var path = RolloutPath(parse.GetValue(id)!);
            using var client = server.Connect(parse, environment);
            var rollout = await client.PostAsync($"{path}/{action}", ProtocolJsonContext.Default.RolloutView, cancellationToken);
            if (parse.GetValue(json))
            {
                Output.Json(environment.Output, rollout, ProtocolJsonContext.Default.RolloutView);
                return ExitCodes.Success;
            }

            environment.Output.WriteLine($"{done} rollout {rollout.Id}: {RolloutText.Position(rollout)}");
            if (action == "pause")
            {
                environment.Output.WriteLine($"`otter rollout resume {rollout.Id}` continues it.");
            }

            return ExitCodes.Success;
        });
        return command;
    }

    private static Command List(CliEnvironment environment)
    {
        var json = KeysCommand.JsonOption();
        var server = new ServerOptions();
        var command = server.AddTo(new Command("list", "List rollouts, newest first.") { json });
        command.SetAction(async (parse, cancellationToken) =>
        {
            using var client = server.Connect(parse, environment);
            var rollouts = await client.GetAsync("api/v1/rollouts", ProtocolJsonContext.Default.ListRolloutView, cancellationToken);
            if (parse.GetValue(json))
            {
                Output.Json(environment.Output, rollouts, ProtocolJsonContext.Default.ListRolloutView);
                return ExitCodes.Success;
            }

            if (rollouts.Count == 0)
            {
                environment.Output.WriteLine("no rollouts yet; create one with `otter rollout create --release NAME --waves 1,10,50,100`.");
                return ExitCodes.Success;
            }

            var table = new TextTable("ID", "RELEASE", "STATUS", "WAVE", "DEVICES", "COMMITTED", "FAILED");
            foreach (var rollout in rollouts)
            {
                table.Add(
                    Output.Number(rollout.Id),
                    rollout.Release,
                    rollout.Status,
                    $"{rollout.CurrentWave.ToString(CultureInfo.InvariantCulture)}/{rollout.Waves.Count.ToString(CultureInfo.InvariantCulture)}",
                    Output.Number(rollout.DeviceCount),
                    Output.Number(rollout.Waves.Sum(w => w.Committed)),
                    Output.Number(rollout.Waves.Sum(RolloutText.Errors)));
            }

            table.WriteTo(environment.Output);
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command Status(CliEnvironment environment)
    {
        var id = IdArgument();
        var json = KeysCommand.JsonOption();
        var watch = new Option<bool>("--watch") { Description = "Follow the rollout live until it completes (exit 0), halts or is cancelled (exit 1); Ctrl-C stops watching. With --json: one JSON line per change." };
        var interval = new Option<string>("--interval") { Description = "How often --watch asks the server, e.g. 500ms, 2s, 1m (default 2s)." };
        var server = new ServerOptions();
        var command = server.AddTo(new Command("status", "Show a rollout: its settings and, per wave, the devices in each state.") { id, json, watch, interval });
        command.SetAction(async (parse, cancellationToken) =>
        {
            var path = RolloutPath(parse.GetValue(id)!);
            var intervalText = parse.GetValue(interval);
            var watching = parse.GetValue(watch);
            if (intervalText is not null && !watching)
            {
                throw new UsageException("--interval sets how often --watch polls; add --watch or leave --interval out.");
            }

            var every = intervalText is null ? DefaultInterval : ParseInterval(intervalText);
            using var client = server.Connect(parse, environment);
            if (watching)
            {
                var watcher = new RolloutWatch(client, path, every, parse.GetValue(json), environment);
                return await watcher.RunAsync(cancellationToken);
            }

            var rollout = await client.GetAsync(path, ProtocolJsonContext.Default.RolloutView, cancellationToken);
            if (parse.GetValue(json))
            {
                Output.Json(environment.Output, rollout, ProtocolJsonContext.Default.RolloutView);
            }
            else
            {
                RolloutText.WriteStatus(environment.Output, rollout);
            }

            return ExitCodes.Success;
        });
        return command;
    }

    private static string RolloutPath(string id)
    {
        if (!long.TryParse(id, NumberStyles.None, CultureInfo.InvariantCulture, out var number) || number <= 0)
        {
            throw new UsageException($"rollout ID \"{id}\" is not a rollout number; `otter rollout list` shows the ids.");
        }

        return "api/v1/rollouts/" + number.ToString(CultureInfo.InvariantCulture);
    }

    /// <summary>Splits the comma list; the server judges the entries, only empty ones are caught here.</summary>
    private static List<string> ParseWaves(string text)
    {
        var waves = text.Split(',', StringSplitOptions.TrimEntries).ToList();
        if (waves.Any(w => w.Length == 0))
        {
            throw new UsageException($"--waves \"{text}\" has an empty entry; write comma-separated percentages or tag:NAME, e.g. 1,10,50,100.");
        }

        return waves;
    }

    private static DateTimeOffset ParseStartAt(string text)
    {
        if (!DateTimeOffset.TryParseExact(text.Trim(), StartAtFormats, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var value))
        {
            throw new UsageException($"--start-at \"{text}\" is not an ISO 8601 time; write e.g. 2025-06-01T02:00:00Z or 2025-06-01T04:00+02:00.");
        }

        return value;
    }

    /// <summary>A polling interval: a number with ms, s, m or h.</summary>
    private static TimeSpan ParseInterval(string text)
    {
        var trimmed = text.Trim();
        var unitStart = 0;
        while (unitStart < trimmed.Length && char.IsAsciiDigit(trimmed[unitStart]))
        {
            unitStart++;
        }

        TimeSpan? value = null;
        if (unitStart > 0 && unitStart <= 9 && long.TryParse(trimmed.AsSpan(0, unitStart), NumberStyles.None, CultureInfo.InvariantCulture, out var amount))
        {
            value = trimmed[unitStart..] switch
            {
                "ms" => TimeSpan.FromMilliseconds(amount),
                "s" => TimeSpan.FromSeconds(amount),
                "m" => TimeSpan.FromMinutes(amount),
                "h" => TimeSpan.FromHours(amount),
                _ => null,
            };
        }

        if (value is not { } interval)
        {
            throw new UsageException($"--interval \"{text}\" is not a duration; write e.g. 500ms, 2s or 1m.");
        }

        return interval < MinInterval || interval > MaxInterval
            ? throw new UsageException($"--interval {text} is outside 100ms to 1h; polling faster only loads the server, slower shows nothing live.")
            : interval;
    }
}
