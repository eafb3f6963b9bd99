namespace Otter.Benchmarks;

/// <summary>One download run against one server: whole passes over the file in the measured window.</summary>
internal sealed record DownloadResult(string Target, int Round, double Seconds, long Bytes, int Passes, int Requests)
{
    public double MiBPerSecond => Bytes / 1048576.0 / Seconds;
}
