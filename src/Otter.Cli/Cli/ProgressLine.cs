using System.Globalization;

namespace Otter.Cli.Cli;

/// <summary>A single self-overwriting progress line on a terminal, at most twice a second.</summary>
internal sealed class ProgressLine(TextWriter writer, TimeProvider time, string label, long total)
{
    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(500);
    private long _last = time.GetTimestamp();
    private bool _written;

    public void Report(long done)
    {
        if (done < total && time.GetElapsedTime(_last) < Interval)
        {
            return;
        }

        _last = time.GetTimestamp();
        var percent = total == 0 ? 100 : done * 100 / total;
        writer.Write(string.Create(CultureInfo.InvariantCulture, $"\r{label}: {percent,3}% ({done / 1048576.0:0.0} of {total / 1048576.0:0.0} MiB)"));
        writer.Flush();
        _written = true;
    }

    /// <summary>Ends the line so later output starts on its own line.</summary>
    public void Finish()
    {
        if (_written)
        {
            writer.WriteLine();
            _written = false;
        }
    }
}
