using System.Diagnostics;

namespace Otter.Agent.Tests.TestSupport;

/// <summary>A running child and its captured output.</summary>
internal sealed record AgentChild(Process Process, Task<string> Output, Task<string> Error) : IDisposable
{
    /// <summary>Waits for the child, killing it (SIGKILL, like pulling the plug) once <paramref name="after"/> has passed; true when it was killed.</summary>
    public async Task<bool> KillAfterAsync(TimeSpan after)
    {
        using var timeout = new CancellationTokenSource(after);
        try
        {
            await Process.WaitForExitAsync(timeout.Token);
            return false;
        }
        catch (OperationCanceledException)
        {
            Process.Kill(entireProcessTree: true);
            await Process.WaitForExitAsync();
            return true;
        }
    }

    public async Task<CliResult> WaitAsync()
    {
        await Process.WaitForExitAsync();
        return new CliResult(Process.ExitCode, await Output, await Error);
    }

    public void Dispose() => Process.Dispose();
}
