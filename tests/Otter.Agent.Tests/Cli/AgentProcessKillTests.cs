using System.Diagnostics;
using Otter.Agent.Boot;
using Otter.Agent.Health;
using Otter.Agent.Platform;
using Otter.Agent.Tests.TestSupport;
using Xunit.Abstractions;

namespace Otter.Agent.Tests.Cli;

/// <summary>
/// The real <c>otter-agent install</c> process killed (SIGKILL) at seeded random moments while it
/// streams a large release into the inactive slot; whatever the moment, the next boot finds a
/// verified image and a later install completes.
/// </summary>
public sealed class AgentProcessKillTests(ITestOutputHelper output)
{
    private const int Runs = 50;
    private const int Seed = 20261122;
    private const int OsLength = 8 << 20;

    [Fact]
    public async Task Install_ChildProcessKilledAtRandomMoments_AlwaysBootsAVerifiedImageAndALaterInstallCompletes()
    {
        using var factory = await ReleaseFactory.CreateAsync();
        var release = await factory.ReleaseAsync(BundleSpec.Healthy("3.0", 3) with { OsLength = OsLength }, "fw-3.0-big.bin");

        // How long an uninterrupted install takes here, and how long it spends writing the slot
        // (the shorter of two warm runs; a first run warms the executable and the disk cache up).
        (double Total, double Writing) timing = (double.MaxValue, double.MaxValue);
        for (var i = 0; i < 3; i++)
        {
            var device = factory.CopyDevice($"timing-{i}");
            var clock = Stopwatch.StartNew();
            using var child = AgentProcess.Start(InstallArgs(factory, device, release));
            var writing = await WaitUntilWritingAsync(child, device) ? clock.Elapsed.TotalMilliseconds : double.NaN;
            var result = await child.WaitAsync();
            Assert.True(result.ExitCode == 0, result.ToString());
            if (i > 0)
            {
                var total = clock.Elapsed.TotalMilliseconds;
                timing = (Math.Min(timing.Total, total), Math.Min(timing.Writing, double.IsNaN(writing) ? total / 4 : total - writing));
            }
        }

        var random = new Random(Seed);
        var seen = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var run = 0; run < Runs; run++)
        {
            // Three kills in five land while the OS stage streams in (after a random share of its
            // bytes), one at a random delay after writing began (the flushes, the manifest, the
            // boot control), one at a random delay after the start.
            var mode = (run % 5) switch { 0 => "start", 4 => "writing-began", _ => "os-progress" };
            var fraction = random.NextDouble();
            var delay = TimeSpan.FromMilliseconds(random.NextDouble() * 1.1 * (mode == "start" ? timing.Total : timing.Writing));
            var device = factory.CopyDevice($"run-{run}");
            bool killed;
            using (var child = AgentProcess.Start(InstallArgs(factory, device, release)))
            {
                if (mode == "os-progress")
                {
                    await WaitUntilAsync(child, () => new FileInfo(Path.Combine(device, "slots", "b", "os.stage")) is { Exists: true } os && os.Length >= fraction * OsLength);
                    delay = TimeSpan.Zero;
                }
                else if (mode == "writing-began")
                {
                    await WaitUntilWritingAsync(child, device);
                }

                killed = await child.KillAfterAsync(delay);
                if (!killed)
                {
                    var finished = await child.WaitAsync();
                    Assert.True(finished.ExitCode == 0, $"run {run}: {finished}");
                }
            }

            var phase = killed ? Phase(device) : "finished";
            seen[phase] = seen.GetValueOrDefault(phase) + 1;
            var context = $"run {run} (kill: {mode}, {fraction:P0} of the OS stage or {delay.TotalMilliseconds:F0} ms; landed: {phase})";

            var boot = new BootLoader(ReleaseFactory.OpenDevice(device), new ProbeHealthChecker(), TimeProvider.System).Boot();
            Assert.True(boot.Slot is not null, $"{context}: no slot booted: {boot.Outcome} {boot.Detail}");
            Assert.True(BootChainVerifier.Verify(ReleaseFactory.OpenDevice(device), boot.Slot!, 0).Ok, $"{context}: slot {boot.Slot} does not verify");
            Assert.Contains(boot.Version, new[] { "1.0", "3.0" });
            var status = await factory.StatusAsync(device);
            Assert.Equal(boot.Slot, StatusAssert.Text(status, "activeSlot"));
            StatusAssert.Slot(status, boot.Slot!, "good", boot.Version, boot.Version == "3.0" ? 3 : 1);
            Assert.Equal(boot.Measurement, StatusAssert.Text(status, "measurement"));

            var later = await factory.InstallAsync(release, device);
            Assert.True(later.ExitCode == 0, $"{context}: the later install failed: {later}");
            Assert.Matches("^booted slot [ab] version 3.0: committed$", (await factory.BootAsync(device)).Output.Trim());
            Directory.Delete(device, recursive: true);
        }

        output.WriteLine($"uninterrupted install: {timing.Total:F0} ms, {timing.Writing:F0} ms of it writing; where the kills landed: {string.Join(", ", seen.OrderBy(s => s.Key, StringComparer.Ordinal))}");
        Assert.True(seen.GetValueOrDefault("writing") >= Runs / 5, $"too few kills landed while the slot was being written: {string.Join(", ", seen)}");
    }

    private static string[] InstallArgs(ReleaseFactory factory, string device, string target) =>
        ["install", "--device", device, "--repo", factory.Repo, "--log", factory.Log, "--target", target];

    /// <summary>Polls the device until the install has marked the slot as being written; false when the child exited first.</summary>
    private static Task<bool> WaitUntilWritingAsync(AgentChild child, string device)
    {
        var bootctl = Path.Combine(device, DevicePaths.BootControl);
        return WaitUntilAsync(child, () => File.ReadAllText(bootctl).Contains("\"writing\"", StringComparison.Ordinal));
    }

    /// <summary>Polls <paramref name="condition"/> every millisecond; false when the child exited first.</summary>
    private static async Task<bool> WaitUntilAsync(AgentChild child, Func<bool> condition)
    {
        while (!child.Process.HasExited)
        {
            if (condition())
            {
                return true;
            }

            await Task.Delay(1);
        }

        return false;
    }

    /// <summary>Where the install was when it died, from what it had persisted.</summary>
    private static string Phase(string device)
    {
        var control = ReleaseFactory.OpenDevice(device).ReadBootControl();
        return control.Slots["b"].State switch
        {
            SlotState.Writing => "writing",
            SlotState.Trial => "staged",
            _ => "before-writing",
        };
    }
}
