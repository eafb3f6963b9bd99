using System.Diagnostics;

namespace Otter.Benchmarks;

/// <summary>
/// <c>rollout-engine</c>: the rollout engine's tick cost with <c>--devices</c> devices in one
/// rollout and a share of them changing per tick (<see cref="EngineTickBench"/>; target: a tick with
/// 1% changed well under a second, and proportional to the changes), then a simulated rollout of
/// <c>--fleet</c> devices end to end over the device API with signed device tokens
/// (<see cref="SimulatedRollout"/>; no target, the numbers are reported). Each part has a server
/// of its own, in this process.
/// </summary>
internal static class RolloutEngineHarness
{
    public const string Command = "rollout-engine";

    /// <summary>A tick that folds 1% of the devices' changes must take less than this.</summary>
    public static readonly TimeSpan Target = TimeSpan.FromSeconds(1);

    public static async Task<int> RunAsync(IReadOnlyList<string> args)
    {
        RolloutEngineOptions options;
        try
        {
            options = RolloutEngineOptions.Parse(args);
        }
        catch (ArgumentException ex)
        {
            await Console.Error.WriteLineAsync($"{Command}: {ex.Message}");
            return 2;
        }

        var started = DateTimeOffset.UtcNow;
        var loadBefore = MachineLine.LoadAverage();
        var root = options.WorkDirectory ?? Directory.CreateTempSubdirectory("otter-bench-rollout-").FullName;
        Directory.CreateDirectory(root);
        Log($"work directory {root}");
        try
        {
            var total = Stopwatch.StartNew();
            var engine = await EngineTickBench.RunAsync(options, root, Log);
            var engineMachine = MachineLine.Describe(started, loadBefore);

            // The second part's server starts on an empty database of its own.
            var fleetStarted = DateTimeOffset.UtcNow;
            var fleetLoadBefore = MachineLine.LoadAverage();
            GC.Collect();
            var fleet = await SimulatedRollout.RunAsync(options, root, Log);
            var fleetMachine = MachineLine.Describe(fleetStarted, fleetLoadBefore);

            var report = new RolloutEngineReport(options, engine, fleet, engineMachine, fleetMachine, total.Elapsed.TotalSeconds);
            foreach (var line in report.TargetLines())
            {
                Log(line);
            }

            if (options.ResultsDirectory is { } results)
            {
                Directory.CreateDirectory(results);
                await File.WriteAllTextAsync(Path.Combine(results, Command + ".md"), report.Section());
                await File.WriteAllLinesAsync(Path.Combine(results, Command + "-targets.md"), report.TargetLines());
                Log($"wrote {Path.Combine(results, Command + ".md")} and {Command}-targets.md");
            }

            return 0;
        }
        finally
        {
            HarnessLogs.Save(root, options.ResultsDirectory, Command);
            if (options.Keep)
            {
                Log($"kept {root}");
            }
            else
            {
                Directory.Delete(root, recursive: true);
                Log($"deleted {root}");
            }
        }
    }

    private static void Log(string message) => Console.WriteLine($"{Command}: {message}");
}
