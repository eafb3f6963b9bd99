using System.Diagnostics;

namespace Otter.Agent.Tests.TestSupport;

/// <summary>The real <c>otter-agent</c> executable (built next to the tests) run as a child process.</summary>
internal static class AgentProcess
{
    public static string AgentDll => Path.Combine(AppContext.BaseDirectory, "otter-agent.dll");

    /// <summary>The dotnet host that runs the tests (or the one on PATH).</summary>
    public static string DotnetHost =>
        Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host)
            ? host
            : Environment.ProcessPath is { } self && Path.GetFileNameWithoutExtension(self) == "dotnet" ? self : "dotnet";

    /// <summary>Starts <c>dotnet otter-agent.dll ARGS</c> with its output captured.</summary>
    public static AgentChild Start(params string[] args)
    {
        Assert.True(File.Exists(AgentDll), $"{AgentDll} is missing: the test project references src/Otter.Agent.Cli so that it is built here");
        var start = new ProcessStartInfo(DotnetHost)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(AgentDll);
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        start.Environment["OTTER_KEY_PASSPHRASE"] = OtterRunner.Passphrase;
        var process = Process.Start(start) ?? throw new InvalidOperationException("cannot start otter-agent");
        return new AgentChild(process, process.StandardOutput.ReadToEndAsync(), process.StandardError.ReadToEndAsync());
    }
}
