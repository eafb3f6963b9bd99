using System.Diagnostics;
using Otter.Agent.Platform;
using Otter.Trust.Bundles;

namespace Otter.Agent.Health;

/// <summary>Runs the device's configured probes: commands that must exit 0 and URLs that must answer 2xx.</summary>
public sealed class ProbeHealthChecker : IHealthChecker
{
    /// <inheritdoc />
    public string? Check(IDevicePlatform platform, string slot, SignedBootManifest manifest)
    {
        ArgumentNullException.ThrowIfNull(platform);
        ArgumentNullException.ThrowIfNull(manifest);
        foreach (var probe in platform.Health.Probes)
        {
            var failure = probe.Command is not null
                ? RunCommand(probe, platform.SlotPath(slot), manifest.Manifest.Version)
                : probe.Url is not null ? GetUrl(probe) : "a health probe has neither a command nor a url";
            if (failure is not null)
            {
                return failure;
            }
        }

        return null;
    }

    private static string? RunCommand(HealthProbe probe, string slotPath, string version)
    {
        var start = new ProcessStartInfo("/bin/sh")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add(probe.Command!);
        start.Environment["OTTER_SLOT_DIR"] = slotPath;
        start.Environment["OTTER_VERSION"] = version;
        var limit = TimeSpan.FromSeconds(probe.TimeoutSeconds);
        var clock = Stopwatch.StartNew();
        using var process = Process.Start(start) ?? throw new AgentException("cannot start /bin/sh for a health probe.");
        _ = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(limit))
        {
            process.Kill(entireProcessTree: true);
            return $"health probe `{probe.Command}` did not finish within {probe.TimeoutSeconds} s";
        }

        // The exit code is the verdict. A process the probe left running (a service it started)
        // may hold its output open, so the output is not waited for to its end: only the error
        // text of a failed probe, and only while the probe's time lasts.
        if (process.ExitCode == 0)
        {
            return null;
        }

        var left = limit - clock.Elapsed;
        var detail = error.Wait(left > TimeSpan.Zero ? left : TimeSpan.Zero) && error.Result.Trim().Length > 0
            ? ": " + error.Result.Trim().Split('\n')[^1]
            : string.Empty;
        return $"health probe `{probe.Command}` exited with {process.ExitCode}{detail}";
    }

    private static string? GetUrl(HealthProbe probe)
    {
        using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(probe.TimeoutSeconds) };
        try
        {
            using var response = client.GetAsync(new Uri(probe.Url!)).GetAwaiter().GetResult();
            return response.IsSuccessStatusCode ? null : $"health probe {probe.Url} answered {(int)response.StatusCode}";
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or UriFormatException)
        {
            return $"health probe {probe.Url} failed: {ex.Message}";
        }
    }
}
