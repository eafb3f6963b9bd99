using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Otter.Simulator.Tests.Support;

/// <summary>The real <c>otter server run</c> as a child process on given ports, so a test can kill it (SIGKILL) and start it again.</summary>
internal sealed class ServerProcess : IDisposable
{
    private readonly Process _process;
    private readonly Task<string> _error;

    private ServerProcess(Process process)
    {
        _process = process;
        _ = process.StandardOutput.ReadToEndAsync();
        _error = process.StandardError.ReadToEndAsync();
    }

    public static string OtterDll => Path.Combine(AppContext.BaseDirectory, "otter.dll");

    public static async Task<ServerProcess> StartAsync(string dataDirectory, int apiPort, int devicePort)
    {
        Assert.True(File.Exists(OtterDll), $"{OtterDll} is missing: the test project references src/Otter.Cli so that it is built here");
        var start = new ProcessStartInfo(DotnetHost) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in new[] { OtterDll, "server", "run", "--data", dataDirectory, "--api-url", $"https://127.0.0.1:{apiPort}", "--device-url", $"https://127.0.0.1:{devicePort}" })
        {
            start.ArgumentList.Add(arg);
        }

        start.Environment["OTTER_KEY_PASSPHRASE"] = TestKeys.Passphrase;
        var child = new ServerProcess(Process.Start(start)!);
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (DateTime.UtcNow < deadline)
        {
            if (child._process.HasExited)
            {
                throw new InvalidOperationException($"otter server run exited with {child._process.ExitCode}: {await child._error}");
            }

            try
            {
                using var probe = new TcpClient();
                await probe.ConnectAsync(IPAddress.Loopback, devicePort);
                return child;
            }
            catch (SocketException)
            {
                await Task.Delay(100);
            }
        }

        child.Dispose();
        throw new TimeoutException("otter server run did not start listening within 60 s");
    }

    /// <summary>SIGKILL: no shutdown, no cleanup, as a crash or power loss of the server.</summary>
    public void Kill()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit();
        }
    }

    public void Dispose()
    {
        Kill();
        _process.Dispose();
    }

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static string DotnetHost =>
        Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host)
            ? host
            : Environment.ProcessPath is { } self && Path.GetFileNameWithoutExtension(self) == "dotnet" ? self : "dotnet";
}
