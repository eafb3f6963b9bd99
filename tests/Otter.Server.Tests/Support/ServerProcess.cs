using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Otter.Server.Tests.Support;

/// <summary>The real <c>otter server run</c> as a child process, so a test can kill it as a power cut would.</summary>
internal sealed class ServerProcess : IDisposable
{
    private readonly Process _process;
    private readonly Task<string> _output;
    private readonly Task<string> _error;

    private ServerProcess(Process process, Uri apiUrl)
    {
        _process = process;
        ApiUrl = apiUrl;
        _output = process.StandardOutput.ReadToEndAsync();
        _error = process.StandardError.ReadToEndAsync();
    }

    public Uri ApiUrl { get; }

    public static string OtterDll => Path.Combine(AppContext.BaseDirectory, "otter.dll");

    /// <summary>Starts the server on free loopback ports, optionally armed to kill itself at a crash point, and waits until it answers.</summary>
    public static async Task<ServerProcess> StartAsync(string dataDirectory, string? crashAt = null)
    {
        Assert.True(File.Exists(OtterDll), $"{OtterDll} is missing: the test project references src/Otter.Cli so that it is built here");
        var apiPort = FreePort();
        var devicePort = FreePort();
        var start = new ProcessStartInfo(DotnetHost) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in new[] { OtterDll, "server", "run", "--data", dataDirectory, "--api-url", $"https://127.0.0.1:{apiPort}", "--device-url", $"https://127.0.0.1:{devicePort}" })
        {
            start.ArgumentList.Add(arg);
        }

        start.Environment["OTTER_KEY_PASSPHRASE"] = TestKeys.Passphrase;
        if (crashAt is not null)
        {
            start.Environment["OTTER_CRASH_AT"] = crashAt;
        }

        var child = new ServerProcess(Process.Start(start)!, new Uri($"https://127.0.0.1:{apiPort}/"));
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
                await probe.ConnectAsync(IPAddress.Loopback, apiPort);
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

    public bool HasExited => _process.HasExited;

    public async Task<bool> WaitForExitAsync(TimeSpan timeout)
    {
        using var cancel = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(cancel.Token);
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    /// <summary>SIGKILL: no shutdown, no cleanup.</summary>
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

    private static string DotnetHost =>
        Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host)
            ? host
            : Environment.ProcessPath is { } self && Path.GetFileNameWithoutExtension(self) == "dotnet" ? self : "dotnet";

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
