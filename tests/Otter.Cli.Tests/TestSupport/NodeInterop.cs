using System.Diagnostics;

namespace Otter.Cli.Tests.TestSupport;

/// <summary>
/// Finds Node.js and the tuf-js interop scripts in <c>tests/interop/tuf-js</c>, and runs them.
/// The scripts' packages come from <c>npm ci --prefix tests/interop/tuf-js</c>.
/// </summary>
internal static class NodeInterop
{
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(60);

    private static readonly Lazy<string?> RepoRootPath = new(FindRepoRoot);
    private static readonly Lazy<string?> NodePath = new(FindNode);

    /// <summary>The folder holding Otter.slnx, found by walking up from the test binaries.</summary>
    public static string RepoRoot => RepoRootPath.Value
        ?? throw new InvalidOperationException($"no Otter.slnx above {AppContext.BaseDirectory}; run the tests from the Otter repository.");

    public static string ScriptDirectory => Path.Combine(RepoRoot, "tests", "interop", "tuf-js");

    /// <summary>Why the interop tests cannot run here, or null when node and the packages are present.</summary>
    public static string? MissingComponent()
    {
        if (NodePath.Value is null)
        {
            return "node is not on PATH; install Node.js 20 or later to run the tuf-js interop tests.";
        }

        if (RepoRootPath.Value is null)
        {
            return $"no Otter.slnx above {AppContext.BaseDirectory}; cannot find tests/interop/tuf-js.";
        }

        foreach (var package in new[] { "tuf-js", "@tufjs/models", "@tufjs/canonical-json" })
        {
            var manifest = Path.Combine([ScriptDirectory, "node_modules", .. package.Split('/'), "package.json"]);
            if (!File.Exists(manifest))
            {
                return $"{package} is not installed in tests/interop/tuf-js/node_modules; run `npm ci --prefix tests/interop/tuf-js`.";
            }
        }

        return null;
    }

    /// <summary>Fails the test when a component is missing (reached only when CI=true kept it from being skipped).</summary>
    public static void Require()
    {
        var missing = MissingComponent();
        Assert.True(missing is null, $"tuf-js interop cannot run: {missing}");
    }

    /// <summary>Runs <c>node SCRIPT ARGS...</c> in the script folder, killing it after <paramref name="timeout"/>.</summary>
    public static async Task<CliResult> RunAsync(string script, IEnumerable<string> args, TimeSpan? timeout = null)
    {
        Require();
        var limit = timeout ?? DefaultTimeout;
        var start = new ProcessStartInfo(NodePath.Value!)
        {
            WorkingDirectory = ScriptDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(Path.Combine(ScriptDirectory, script));
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        // Keep the scripts quiet and independent of the caller's Node settings.
        start.Environment.Remove("NODE_OPTIONS");
        start.Environment.Remove("DEBUG");

        using var process = Process.Start(start) ?? throw new InvalidOperationException("could not start node");
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var cancel = new CancellationTokenSource(limit);
        try
        {
            await process.WaitForExitAsync(cancel.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
            Assert.Fail($"node {script} did not finish within {limit.TotalSeconds} s.\nstdout:\n{await stdout}\nstderr:\n{await stderr}");
        }

        return new CliResult(process.ExitCode, await stdout, await stderr);
    }

    /// <summary>The result as text for an assertion message.</summary>
    public static string Describe(CliResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        return $"exit {result.ExitCode}\nstdout:\n{result.Output}\nstderr:\n{result.Error}";
    }

    private static string? FindRepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Otter.slnx")))
            {
                return dir.FullName;
            }
        }

        return null;
    }

    private static string? FindNode()
    {
        var names = OperatingSystem.IsWindows() ? new[] { "node.exe", "node.cmd" } : ["node"];
        var path = Environment.GetEnvironmentVariable("PATH") ?? string.Empty;
        foreach (var dir in path.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            foreach (var name in names)
            {
                var candidate = Path.Combine(dir, name);
                if (File.Exists(candidate))
                {
                    return candidate;
                }
            }
        }

        return null;
    }
}
