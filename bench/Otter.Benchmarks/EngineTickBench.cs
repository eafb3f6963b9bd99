using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography.X509Certificates;

using Microsoft.Data.Sqlite;

using Otter.Protocol.Rollouts;
using Otter.Server.Rollouts;

namespace Otter.Benchmarks;

/// <summary>
/// The tick cost part of <c>rollout-engine</c>: <c>--devices</c> approved rows bulk-inserted into
/// SQLite, one rollout over all of them (one wave, no rate limit) created and started through the
/// management API of an in-process server, ticked until every device is assigned; then rounds in
/// which a share of the in-flight rows is marked committed in SQL as a device report marks them
/// (untimed) and <see cref="RolloutEngine.TickAsync"/> alone is timed.
/// </summary>
internal static class EngineTickBench
{
    public const string Release = "gw-x2/fw-2.0.0.otb";

    /// <summary>The change sizes, in percent of the devices: none (the fixed part), 0.1%, 1% and 10%.</summary>
    public static readonly double[] SmallSizes = [0, 0.1, 1];

    public const double LargeSize = 10;

    // With --assign sql: the assigning ticks timed before the rest is marked in SQL.
    private const int SampledAssignTicks = 20;

    public static async Task<EngineTickResult> RunAsync(RolloutEngineOptions options, string root, Action<string> log)
    {
        using var server = await OtterServerInstance.InitAsync(Path.Combine(root, "engine"), null);
        using var factoryCa = X509Certificate2.CreateFromPem(File.ReadAllText(Path.Combine(server.DataDirectory, "dev-factory", "ca.pem")));
        var insertSeconds = DeviceTableFiller.Fill(server.SqliteDatabase, 0, options.Devices, factoryCa.Subject, BenchDevice.Hardware);
        var databaseMiB = new FileInfo(server.SqliteDatabase).Length / 1048576.0;
        log(string.Create(CultureInfo.InvariantCulture, $"bulk-inserted {options.Devices:N0} approved {BenchDevice.Hardware} devices in {insertSeconds:F1} s; otter.db {databaseMiB:F0} MiB"));

        await using var otter = await InProcessOtter.StartAsync(server);
        var stopwatch = Stopwatch.StartNew();
        await otter.PublishAsync(Path.Combine(server.Root, "release"), Release, "2.0.0", 5);
        var publishSeconds = stopwatch.Elapsed.TotalSeconds;

        // The peak of the create alone: the fill's page cache and the publish are not its memory.
        GC.Collect();
        var residentBeforeCreate = ProcessStatus.Read("VmRSS:") / 1024.0;
        var peakIsCreate = ProcessStatus.ResetPeak();
        stopwatch.Restart();
        var rollout = await otter.CreateRolloutAsync(new RolloutRequest { Release = Release, Waves = ["100"] });
        var createSeconds = stopwatch.Elapsed.TotalSeconds;
        var peakAfterCreate = ProcessStatus.Read("VmHWM:") / 1024.0;
        if (rollout.DeviceCount != options.Devices)
        {
            throw new InvalidOperationException($"the rollout selected {rollout.DeviceCount:N0} devices, not {options.Devices:N0}");
        }

        log(string.Create(CultureInfo.InvariantCulture, $"published {Release} in {publishSeconds:F1} s; created rollout {rollout.Id} over {rollout.DeviceCount:N0} devices in {createSeconds:F1} s (POST /api/v1/rollouts; bench process RSS {residentBeforeCreate:F0} MiB before, peak {peakAfterCreate:F0} MiB{(peakIsCreate ? " during the create" : " so far")})"));
        await otter.ActAsync(rollout.Id, "start");

        using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = server.SqliteDatabase, Pooling = false }.ToString());
        connection.Open();
        using (var timeout = connection.CreateCommand())
        {
            timeout.CommandText = "PRAGMA busy_timeout = 60000;";
            timeout.ExecuteNonQuery();
        }

        // Until every device is assigned: the engine's own ticks, all of them or a sample and then SQL.
        var engine = otter.Engine;
        var assignTicks = 0;
        var assignedByTicks = 0;
        var assignTickTicks = 0L;
        var assignTickMax = 0L;
        while (assignedByTicks < options.Devices && (options.Assign == "ticks" || assignTicks < SampledAssignTicks))
        {
            var start = Stopwatch.GetTimestamp();
            var result = await engine.TickAsync(CancellationToken.None);
            var took = Stopwatch.GetTimestamp() - start;
            assignTickTicks += took;
            assignTickMax = Math.Max(assignTickMax, took);
            assignTicks++;
            if (result.Assigned == 0)
            {
                throw new InvalidOperationException($"tick {assignTicks} assigned nobody with {options.Devices - assignedByTicks:N0} devices pending ({result})");
            }

            assignedByTicks += result.Assigned;
            if (assignTicks % 50 == 0)
            {
                log(string.Create(CultureInfo.InvariantCulture, $"{assignTicks} ticks: {assignedByTicks:N0} devices assigned, {Ms(assignTickTicks) / assignTicks:F0} ms a tick"));
            }
        }

        var assignTickSeconds = Ms(assignTickTicks) / 1000;
        log(string.Create(CultureInfo.InvariantCulture, $"{assignTicks} ticks assigned {assignedByTicks:N0} devices in {assignTickSeconds:F1} s ({Ms(assignTickTicks) / assignTicks:F0} ms a tick, at most {Ms(assignTickMax):F0} ms)"));
        var assignedBySql = 0;
        var assignSqlSeconds = 0.0;
        if (assignedByTicks < options.Devices)
        {
            stopwatch.Restart();
            assignedBySql = AssignRest(connection, rollout.Id);
            assignSqlSeconds = stopwatch.Elapsed.TotalSeconds;
            log(string.Create(CultureInfo.InvariantCulture, $"marked the other {assignedBySql:N0} devices assigned in SQL in {assignSqlSeconds:F1} s"));
        }

        var status = await otter.StatusAsync(rollout.Id);
        if (status.Waves[0].Assigned != options.Devices)
        {
            throw new InvalidOperationException($"wave 1 counts {status.Waves[0].Assigned:N0} devices assigned, not {options.Devices:N0}");
        }

        // Random in-flight rows, each changed once: a shuffle of every device, taken in slices.
        var order = Enumerable.Range(0, options.Devices).ToArray();
        new Random(20240612).Shuffle(order);
        var next = 0;
        var rounds = new List<TickRound>();
        async Task<TickRound> RoundAsync(double percent)
        {
            var changed = (int)Math.Round(options.Devices * percent / 100);
            var markStart = Stopwatch.GetTimestamp();
            MarkCommitted(connection, rollout.Id, order.AsSpan(next, changed));
            next += changed;
            var mark = Stopwatch.GetTimestamp() - markStart;

            // The marking's garbage is not the tick's.
            GC.Collect();
            GC.WaitForPendingFinalizers();
            var folded = 0;
            var ticks = 0;
            var elapsed = 0L;
            do
            {
                var start = Stopwatch.GetTimestamp();
                var result = await engine.TickAsync(CancellationToken.None);
                elapsed += Stopwatch.GetTimestamp() - start;
                ticks++;
                folded += result.Folded;
                if (result.Assigned + result.TimedOut > 0 || result.Transitions.Count > 0 || (result.Folded == 0 && folded < changed))
                {
                    throw new InvalidOperationException($"an unexpected tick with {changed:N0} rows changed: {result.Folded:N0} folded, {result.Assigned:N0} assigned, {result.TimedOut:N0} timed out, transitions [{string.Join("; ", result.Transitions)}]");
                }
            }
            while (folded < changed);

            return new TickRound(percent, changed, ticks, Ms(elapsed), Ms(mark));
        }

        // Untimed warm-up: the fold's queries and update statements compiled once.
        foreach (var percent in SmallSizes)
        {
            var warm = await RoundAsync(percent);
            log(string.Create(CultureInfo.InvariantCulture, $"warm-up: {warm.Changed:N0} changed, {warm.Ticks} tick(s), {warm.Milliseconds:F1} ms"));
        }

        for (var round = 0; round < options.Rounds; round++)
        {
            var sizes = round < options.LargeRounds ? [.. SmallSizes, LargeSize] : SmallSizes;

            // Rotated, so that no size always follows the same one.
            foreach (var percent in sizes.Skip(round % sizes.Length).Concat(sizes.Take(round % sizes.Length)))
            {
                var result = await RoundAsync(percent);
                rounds.Add(result);
                log(string.Create(CultureInfo.InvariantCulture, $"round {round + 1}: {percent}% = {result.Changed:N0} rows changed (marked in {result.MarkMilliseconds:F0} ms): {result.Ticks} tick(s), {result.Milliseconds:F1} ms{(result.Changed > 0 ? $", {result.MillisecondsPerThousand:F2} ms per 1,000" : string.Empty)}"));
            }
        }

        status = await otter.StatusAsync(rollout.Id);
        if (status.Waves[0].Committed != next || status.Waves[0].Assigned != options.Devices - next || status.Status != "running")
        {
            throw new InvalidOperationException($"after the rounds the wave counts {status.Waves[0].Committed:N0} committed and {status.Waves[0].Assigned:N0} assigned ({status.Status}); {next:N0} rows were changed");
        }

        log(string.Create(CultureInfo.InvariantCulture, $"the wave's counters agree: {next:N0} committed, {options.Devices - next:N0} assigned"));
        return new EngineTickResult
        {
            Devices = options.Devices,
            InsertSeconds = insertSeconds,
            DatabaseMiB = databaseMiB,
            PublishSeconds = publishSeconds,
            CreateSeconds = createSeconds,
            ResidentBeforeCreateMiB = residentBeforeCreate,
            PeakAfterCreateMiB = peakAfterCreate,
            PeakIsCreate = peakIsCreate,
            AssignMode = options.Assign,
            AssignTicks = assignTicks,
            AssignTickSeconds = assignTickSeconds,
            AssignTickMaxMs = Ms(assignTickMax),
            AssignedByTicks = assignedByTicks,
            AssignedBySql = assignedBySql,
            AssignSqlSeconds = assignSqlSeconds,
            Rounds = rounds,
        };
    }

    private static double Ms(long stopwatchTicks) => stopwatchTicks * 1000.0 / Stopwatch.Frequency;

    /// <summary>
    /// What <c>POST /device/v1/reports</c> with phase committed writes for each device (RolloutProgress
    /// and CheckInService.ReportAsync): the rollout row committed and dirty, the device free of its
    /// rollout. One transaction; the device_events row a report also adds is left out (the engine never reads it).
    /// </summary>
    private static void MarkCommitted(SqliteConnection connection, long rolloutId, ReadOnlySpan<int> devices)
    {
        var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        using var transaction = connection.BeginTransaction();
        using var row = connection.CreateCommand();
        row.Transaction = transaction;
        row.CommandText = "UPDATE rollout_devices SET \"State\" = 'committed', \"Dirty\" = 1, \"UpdatedAt\" = $now, \"Detail\" = NULL WHERE \"RolloutId\" = $rollout AND \"DeviceId\" = $id AND \"State\" = 'assigned'";
        row.Parameters.AddWithValue("$now", now);
        row.Parameters.AddWithValue("$rollout", rolloutId);
        var rowId = row.Parameters.Add("$id", SqliteType.Text);
        row.Prepare();
        using var device = connection.CreateCommand();
        device.Transaction = transaction;
        device.CommandText = "UPDATE devices SET \"AssignedRollout\" = NULL, \"AssignmentState\" = 'committed', \"LastPatchedAt\" = $now WHERE \"Id\" = $id";
        device.Parameters.AddWithValue("$now", now);
        var deviceId = device.Parameters.Add("$id", SqliteType.Text);
        device.Prepare();
        foreach (var index in devices)
        {
            rowId.Value = deviceId.Value = DeviceIds.For(index);
            if (row.ExecuteNonQuery() != 1 || device.ExecuteNonQuery() != 1)
            {
                throw new InvalidOperationException($"device {DeviceIds.For(index)} is not an assigned device of rollout {rolloutId}");
            }
        }

        transaction.Commit();
    }

    /// <summary>
    /// What the engine's assigning ticks write, for every pending row at once: the rollout row
    /// assigned (counted, not dirty) with the release the device ran, the device given the release,
    /// and the wave's counters moved.
    /// </summary>
    private static int AssignRest(SqliteConnection connection, long rolloutId)
    {
        var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        using var transaction = connection.BeginTransaction();
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.Parameters.AddWithValue("$now", now);
        command.Parameters.AddWithValue("$rollout", rolloutId);
        command.Parameters.AddWithValue("$release", Release);
        command.CommandText =
            "UPDATE devices SET \"AssignedRelease\" = $release, \"AssignmentState\" = 'pending', \"AssignedRollout\" = $rollout "
            + "WHERE \"Id\" IN (SELECT \"DeviceId\" FROM rollout_devices WHERE \"RolloutId\" = $rollout AND \"State\" = 'pending')";
        command.ExecuteNonQuery();
        command.CommandText =
            "UPDATE rollout_devices SET \"State\" = 'assigned', \"CountedState\" = 'assigned', \"AssignedAt\" = $now, \"NotBefore\" = NULL, \"UpdatedAt\" = $now, \"Detail\" = NULL, "
            + "\"PreviousRelease\" = (SELECT json_extract(d.\"SlotsJson\", '$.' || d.\"BootedSlot\" || '.target') FROM devices d WHERE d.\"Id\" = rollout_devices.\"DeviceId\") "
            + "WHERE \"RolloutId\" = $rollout AND \"State\" = 'pending'";
        var rows = command.ExecuteNonQuery();
        command.CommandText = "UPDATE rollout_waves SET \"Pending\" = \"Pending\" - $rows, \"Assigned\" = \"Assigned\" + $rows WHERE \"RolloutId\" = $rollout AND \"Index\" = 0";
        command.Parameters.AddWithValue("$rows", rows);
        command.ExecuteNonQuery();
        transaction.Commit();
        return rows;
    }
}
