using System.Globalization;

namespace Otter.Benchmarks;

/// <summary>Memory figures of this process from <c>/proc/self/status</c> (Linux), in KiB.</summary>
internal static class ProcessStatus
{
    /// <summary>
    /// The value of <paramref name="field"/> in KiB, e.g. <c>VmHWM:</c> (peak resident set size),
    /// <c>VmRSS:</c>, <c>RssAnon:</c> (private memory), <c>RssFile:</c> (mapped files: the runtime,
    /// assemblies and native libraries), <c>RssShmem:</c>; -1 when unknown.
    /// </summary>
    public static long Read(string field)
    {
        const string path = "/proc/self/status";
        if (!File.Exists(path))
        {
            return -1;
        }

        foreach (var line in File.ReadLines(path))
        {
            if (line.StartsWith(field, StringComparison.Ordinal))
            {
                // "VmHWM:\t   51234 kB"
                var value = line[field.Length..].Trim();
                var space = value.IndexOf(' ', StringComparison.Ordinal);
                return long.Parse(space < 0 ? value : value[..space], CultureInfo.InvariantCulture);
            }
        }

        return -1;
    }

    /// <summary>
    /// Resets <c>VmHWM:</c> to the present resident set size (<c>/proc/self/clear_refs</c>, Linux 4.0
    /// and later), so that a later read is the peak since now; false when that is not possible.
    /// </summary>
    public static bool ResetPeak()
    {
        try
        {
            File.WriteAllText("/proc/self/clear_refs", "5");
            return true;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }
}
