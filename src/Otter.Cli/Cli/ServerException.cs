namespace Otter.Cli.Cli;

/// <summary>
/// The fleet server refused a request (a problem+json answer) or could not be reached; the
/// message is the one line <see cref="CliErrors"/> prints.
/// </summary>
internal sealed class ServerException(string message, int exitCode, int? status = null, Exception? innerException = null)
    : Exception(message, innerException)
{
    /// <summary>The exit code: 2 when the request itself was bad (400, 413, 415), 1 otherwise.</summary>
    public int ExitCode { get; } = exitCode;

    /// <summary>The HTTP status, when the server answered.</summary>
    public int? Status { get; } = status;

    /// <summary>An answer with an error status; <paramref name="detail"/> is the server's own words.</summary>
    public static ServerException FromStatus(int status, string detail) =>
        new(detail, status is 400 or 413 or 415 ? ExitCodes.BadInput : ExitCodes.VerificationFailed, status);
}
