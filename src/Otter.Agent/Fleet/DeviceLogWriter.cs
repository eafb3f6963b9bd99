using System.Globalization;
using System.Text;
using Otter.Agent.Platform;

namespace Otter.Agent.Fleet;

/// <summary>
/// Passes what the fleet agent prints through to <paramref name="inner"/> and appends each line,
/// time-stamped, to the device's <see cref="DevicePaths.AgentLog"/>, so that a forensic bundle
/// carries the agent's history. The log is rotated once past <see cref="MaxBytes"/>; a log that
/// cannot be written never stops the agent.
/// </summary>
internal sealed class DeviceLogWriter(TextWriter inner, IDeviceStorage storage, TimeProvider time, string stream) : TextWriter(CultureInfo.InvariantCulture)
{
    /// <summary>The size past which the log is rotated to <see cref="DevicePaths.AgentLogPrevious"/>.</summary>
    public const int MaxBytes = 256 * 1024;

    private readonly StringBuilder _line = new();

    /// <inheritdoc />
    public override Encoding Encoding => inner.Encoding;

    /// <inheritdoc />
    public override void Write(char value)
    {
        inner.Write(value);
        if (value == '\n')
        {
            Append(_line.ToString().TrimEnd('\r'));
            _line.Clear();
        }
        else
        {
            _line.Append(value);
        }
    }

    /// <inheritdoc />
    public override void Write(string? value)
    {
        foreach (var c in value ?? string.Empty)
        {
            Write(c);
        }
    }

    /// <inheritdoc />
    public override void WriteLine(string? value)
    {
        Write(value);
        Write('\n');
    }

    /// <inheritdoc />
    public override void Flush() => inner.Flush();

    private void Append(string line)
    {
        try
        {
            var path = storage.FullPath(DevicePaths.AgentLog);
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            if (File.Exists(path) && new FileInfo(path).Length > MaxBytes)
            {
                File.Move(path, storage.FullPath(DevicePaths.AgentLogPrevious), overwrite: true);
            }

            File.AppendAllText(path, string.Create(CultureInfo.InvariantCulture, $"{time.GetUtcNow():yyyy-MM-ddTHH:mm:ss.fffZ} {stream} {line}\n"));
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // The log is evidence, not a duty: the agent goes on without it.
        }
    }
}
