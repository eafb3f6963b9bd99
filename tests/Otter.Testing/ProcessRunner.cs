using System.Diagnostics;

namespace Otter.Testing;

/// <summary>Runs command-line tools for test fixtures.</summary>
public static class ProcessRunner
{
    /// <summary>Runs <paramref name="fileName"/> and returns its output; throws when it fails or hangs.</summary>
    /// <exception cref="InvalidOperationException">The tool exited non-zero or ran longer than <paramref name="timeout"/>.</exception>
    public static ProcessResult Run(string fileName, IEnumerable<string> arguments, IReadOnlyDictionary<string, string>? environment = null, TimeSpan? timeout = null)
    {
        var result = TryRun(fileName, arguments, environment, timeout);
        if (result.ExitCode != 0)
        {
            throw new InvalidOperationException($"{fileName} exited with {result.ExitCode}: {result.StandardError.Trim()} {result.StandardOutput.Trim()}");
        }

        return result;
    }

    /// <summary>Runs <paramref name="fileName"/> and returns its exit code and output; throws only when it hangs.</summary>
    public static ProcessResult TryRun(string fileName, IEnumerable<string> arguments, IReadOnlyDictionary<string, string>? environment = null, TimeSpan? timeout = null)
    {
        ArgumentNullException.ThrowIfNull(arguments);
        var info = new ProcessStartInfo(fileName)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        if (environment is not null)
        {
            foreach (var (name, value) in environment)
            {
                info.Environment[name] = value;
            }
        }

        using var process = Process.Start(info) ?? throw new InvalidOperationException($"cannot start {fileName}");
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(timeout ?? TimeSpan.FromMinutes(1)))
        {
            process.Kill(entireProcessTree: true);
            throw new InvalidOperationException($"{fileName} did not finish in time");
        }

        return new ProcessResult(process.ExitCode, stdout.GetAwaiter().GetResult(), stderr.GetAwaiter().GetResult());
    }
}
