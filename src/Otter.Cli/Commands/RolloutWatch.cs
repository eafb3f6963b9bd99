using System.Text.Json;
using Otter.Cli.Cli;
using Otter.Protocol;
using Otter.Protocol.Rollouts;

namespace Otter.Cli.Commands;

/// <summary>
/// <c>otter rollout status ID --watch</c>: polls the rollout and shows each change until it is
/// completed (exit 0), halted or cancelled (exit 1). On a terminal the progress bars are redrawn
/// in place; into a pipe or file it prints one line per change (never escape codes); with --json
/// one RolloutView per line. Ctrl-C only stops watching (exit 0): the rollout carries on.
/// </summary>
internal sealed class RolloutWatch(ManagementClient client, string path, TimeSpan interval, bool json, CliEnvironment environment)
{
    private int _drawnLines;

    public async Task<int> RunAsync(CancellationToken cancellationToken)
    {
        string? previous = null;
        string? status = null;
        try
        {
            while (true)
            {
                var rollout = await client.GetAsync(path, ProtocolJsonContext.Default.RolloutView, cancellationToken);
                status = rollout.Status;

                // The compact JSON is both the change test and the --json line.
                var line = JsonSerializer.Serialize(rollout, ProtocolJsonContext.Default.RolloutView);
                if (line != previous)
                {
                    previous = line;
                    Show(rollout, line);
                }

                if (RolloutText.IsFinished(rollout))
                {
                    Finish(rollout);
                    return rollout.Status == "completed" ? ExitCodes.Success : ExitCodes.VerificationFailed;
                }

                await Task.Delay(interval, environment.Time, cancellationToken);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            await environment.Output.FlushAsync(CancellationToken.None);
            await environment.Error.WriteLineAsync($"stopped watching{(status is null ? string.Empty : $" ({status})")}; the rollout carries on on the server.");
            return ExitCodes.Success;
        }
    }

    /// <summary>The final state in full (JSON lines already ended with it).</summary>
    private void Finish(RolloutView rollout)
    {
        if (!json)
        {
            environment.Output.WriteLine();
            RolloutText.WriteStatus(environment.Output, rollout);
        }

        environment.Output.Flush();
    }

    private void Show(RolloutView rollout, string jsonLine)
    {
        var output = environment.Output;
        if (json)
        {
            output.WriteLine(jsonLine);
        }
        else if (environment.OutputIsTerminal)
        {
            // Back to the first line of the last drawing, then overwrite every line (clearing leftovers).
            var lines = RolloutText.Bars(rollout, color: string.IsNullOrEmpty(environment.Variables("NO_COLOR")));
            if (_drawnLines > 0)
            {
                output.Write($"\u001b[{_drawnLines}A");
            }

            foreach (var text in lines)
            {
                output.Write("\r\u001b[2K");
                output.WriteLine(text);
            }

            _drawnLines = lines.Count;
        }
        else
        {
            output.WriteLine(RolloutText.Summary(rollout, environment.Time.GetUtcNow()));
        }

        output.Flush();
    }
}
