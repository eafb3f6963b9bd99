using System.Text;

namespace Otter.Simulator;

/// <summary>
/// What a simulated agent prints, as a real one would to its journal: counted (downloads,
/// installs per target, refusals) and the last lines kept, so that a hundred thousand devices do not
/// keep their whole logs.
/// </summary>
internal sealed class DeviceConsole : TextWriter
{
    private const int Kept = 12;
    private readonly Lock _gate = new();
    private readonly Queue<string> _lines = new();
    private readonly Dictionary<string, int> _installs = new(StringComparer.Ordinal);
    private readonly StringBuilder _partial = new();

    public override Encoding Encoding => Encoding.UTF8;

    public int Downloads { get; private set; }

    public int Refusals { get; private set; }

    public int RolledBack { get; private set; }

    public string? LastError { get; private set; }

    public IReadOnlyDictionary<string, int> Installs
    {
        get
        {
            lock (_gate)
            {
                return new Dictionary<string, int>(_installs, StringComparer.Ordinal);
            }
        }
    }

    public IReadOnlyList<string> Lines
    {
        get
        {
            lock (_gate)
            {
                return [.. _lines];
            }
        }
    }

    public override void Write(char value)
    {
        lock (_gate)
        {
            if (value == '\n')
            {
                Line(_partial.ToString());
                _partial.Clear();
            }
            else
            {
                _partial.Append(value);
            }
        }
    }

    public override void WriteLine(string? value)
    {
        lock (_gate)
        {
            Line(_partial.Append(value).ToString());
            _partial.Clear();
        }
    }

    /// <summary>A line from the simulator itself (power cuts, boots).</summary>
    public void Note(string line)
    {
        lock (_gate)
        {
            Keep("[sim] " + line);
        }
    }

    private void Line(string line)
    {
        Keep(line);
        if (line.StartsWith("downloading ", StringComparison.Ordinal))
        {
            Downloads++;
        }
        else if (line.StartsWith("installed ", StringComparison.Ordinal))
        {
            var target = line.Split(' ')[1];
            _installs[target] = _installs.GetValueOrDefault(target) + 1;
        }
        else if (line.StartsWith("otter-agent: ", StringComparison.Ordinal))
        {
            LastError = line["otter-agent: ".Length..];
            if (line.Contains(" refused: ", StringComparison.Ordinal))
            {
                Refusals++;
            }
            else if (line.Contains(" did not commit ", StringComparison.Ordinal))
            {
                RolledBack++;
            }
        }
    }

    private void Keep(string line)
    {
        _lines.Enqueue(line);
        while (_lines.Count > Kept)
        {
            _lines.Dequeue();
        }
    }
}
