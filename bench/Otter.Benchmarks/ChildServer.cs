using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text.RegularExpressions;

namespace Otter.Benchmarks;

/// <summary>
/// A server in a child process (Otter, the bare Kestrel anchor, nginx): its output goes to a log
/// file, it is ready when a line matches, and it is stopped with SIGTERM. A process of its own so
/// that the load generator and the server never share a GC or a thread pool.
/// </summary>
internal sealed class ChildServer : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StreamWriter _log;
    private readonly Lock _gate = new();
    private bool _stopped;
    private bool _closed;

    private ChildServer(string name, Process process, StreamWriter log, string logPath)
    {
        Name = name;
        _process = process;
        _log = log;
        LogPath = logPath;
    }

    /// <summary>What the log says it is, e.g. "otter server".</summary>
    public string Name { get; }

    /// <summary>The file its standard output and error go to.</summary>
    public string LogPath { get; }

    /// <summary>The ready line's match (the URLs it printed).</summary>
    public Match Ready { get; private set; } = Match.Empty;

    /// <summary>The process id.</summary>
    public int Id => _process.Id;

    /// <summary>
    /// Starts <paramref name="fileName"/> and waits until a line of its standard output matches
    /// <paramref name="ready"/> (or, with <paramref name="ready"/> null, until <paramref name="probe"/> is true).
    /// </summary>
    public static async Task<ChildServer> StartAsync(
        string name,
        string fileName,
        IEnumerable<string> arguments,
        IReadOnlyDictionary<string, string> environment,
        string logPath,
        Regex? ready,
        Func<Task<bool>>? probe = null)
    {
        var start = new ProcessStartInfo(fileName)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var (key, value) in environment)
        {
            start.Environment[key] = value;
        }

        var log = new StreamWriter(logPath, append: true) { AutoFlush = true };
        var process = new Process { StartInfo = start, EnableRaisingEvents = true };
        var child = new ChildServer(name, process, log, logPath);
        var readyLine = new TaskCompletionSource<Match>(TaskCreationOptions.RunContinuationsAsynchronously);
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null)
            {
                return;
            }

            child.Write(e.Data);
            if (ready?.Match(e.Data) is { Success: true } match)
            {
                readyLine.TrySetResult(match);
            }
        };
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                child.Write(e.Data);
            }
        };
        process.Exited += (_, _) => readyLine.TrySetException(new InvalidOperationException($"{name} exited before it was ready"));
        if (!process.Start())
        {
            throw new InvalidOperationException($"{name} ({fileName}) did not start");
        }

        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            if (ready is not null)
            {
                child.Ready = await readyLine.Task.WaitAsync(timeout.Token);
            }
            else
            {
                while (!await probe!())
                {
                    if (process.HasExited)
                    {
                        throw new InvalidOperationException($"{name} exited with {process.ExitCode} before it was ready");
                    }

                    await Task.Delay(100, timeout.Token);
                }
            }
        }
        catch (Exception ex) when (ex is InvalidOperationException or OperationCanceledException)
        {
            await child.DisposeAsync();
            throw new InvalidOperationException($"{name} did not start: {ex.Message}; its output ({logPath}):\n{Tail(logPath)}", ex);
        }

        return child;
    }

    /// <summary>Its peak resident set size so far (VmHWM), in MiB; -1 when unknown.</summary>
    public double PeakResidentMiB()
    {
        var path = string.Create(CultureInfo.InvariantCulture, $"/proc/{_process.Id}/status");
        try
        {
            var line = File.ReadLines(path).FirstOrDefault(l => l.StartsWith("VmHWM:", StringComparison.Ordinal));
            return line is null ? -1 : long.Parse(line["VmHWM:".Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture) / 1024.0;
        }
        catch (IOException)
        {
            return -1;
        }
    }

    /// <summary>SIGTERM, then SIGKILL of the process tree after 15 s.</summary>
    public async Task StopAsync()
    {
        if (_stopped)
        {
            return;
        }

        _stopped = true;
        try
        {
            if (!_process.HasExited)
            {
                _ = NativeMethods.Kill(_process.Id, NativeMethods.SigTerm);
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(15));
                try
                {
                    await _process.WaitForExitAsync(timeout.Token);
                }
                catch (OperationCanceledException)
                {
                    _process.Kill(entireProcessTree: true);
                    await _process.WaitForExitAsync();
                }
            }
        }
        catch (InvalidOperationException)
        {
            // never started
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        _process.Dispose();
        lock (_gate)
        {
            _closed = true;
            _log.Dispose();
        }
    }

    /// <summary>The last lines of a log file, for error messages.</summary>
    public static string Tail(string path, int lines = 30) =>
        File.Exists(path) ? string.Join('\n', File.ReadLines(path).TakeLast(lines)) : "(no output)";

    private void Write(string line)
    {
        lock (_gate)
        {
            if (!_closed)
            {
                _log.WriteLine(line);
            }
        }
    }

    private static class NativeMethods
    {
        public const int SigTerm = 15;

        [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
        [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
        internal static extern int Kill(int pid, int signal);
    }
}
