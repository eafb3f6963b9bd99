using System.Text.Json;
using Otter.Trust;
using Otter.Trust.Tuf;

namespace Otter.Cli.Cli;

/// <summary>Turns any failure into one line on stderr and an exit code; never a stack trace.</summary>
internal static class CliErrors
{
    public static int Report(Exception exception, TextWriter error)
    {
        var (code, message) = exception switch
        {
            TufException tuf => (ExitCodes.VerificationFailed, tuf.Message),
            Otter.Ledger.LedgerException ledger => (ExitCodes.VerificationFailed, ledger.Message),
            Otter.Trust.Bundles.BundleException bundle => (ExitCodes.BadInput, bundle.Message),
            TrustException trust => (ExitCodes.BadInput, trust.Message),
            UsageException usage => (ExitCodes.BadInput, usage.Message),
            ServerException server => (server.ExitCode, server.Message),
            Otter.Server.Setup.ServerSetupException setup => (ExitCodes.BadInput, setup.Message),
            JsonException json => (ExitCodes.BadInput, $"invalid JSON: {json.Message}"),
            FileNotFoundException notFound => (ExitCodes.BadInput, $"{notFound.FileName ?? "a file"} does not exist."),
            DirectoryNotFoundException directory => (ExitCodes.BadInput, directory.Message),
            UnauthorizedAccessException denied => (ExitCodes.BadInput, $"permission denied: {denied.Message}"),
            IOException io => (ExitCodes.BadInput, $"I/O error: {io.Message}"),
            OperationCanceledException => (ExitCodes.BadInput, "cancelled; nothing was changed."),
            _ => (ExitCodes.BadInput, $"internal error ({exception.GetType().Name}): {exception.Message}. Please report it; set OTTER_DEBUG=1 for details."),
        };
        error.WriteLine($"otter: {message}");
        if (Environment.GetEnvironmentVariable("OTTER_DEBUG") == "1")
        {
            error.WriteLine(exception.ToString());
        }

        return code;
    }
}
