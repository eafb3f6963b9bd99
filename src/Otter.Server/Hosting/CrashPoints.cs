using System.Diagnostics;

namespace Otter.Server.Hosting;

/// <summary>
/// Fault injection for crash-safety tests: when <c>OTTER_CRASH_AT</c> names a point, the process
/// kills itself (no cleanup, like a power cut or SIGKILL) when it gets there. Unset in normal runs.
/// </summary>
internal static class CrashPoints
{
    public const string Variable = "OTTER_CRASH_AT";

    /// <summary>The upload is on disk, nothing is published yet.</summary>
    public const string PublishReceived = "publish.received";

    /// <summary>The release record is in the log; the TUF metadata is not committed.</summary>
    public const string PublishLogged = "publish.logged";

    /// <summary>The TUF metadata is committed; the database row is not written.</summary>
    public const string PublishCommitted = "publish.committed";

    private static readonly string? Armed = Environment.GetEnvironmentVariable(Variable);

    public static void Reach(string point)
    {
        if (Armed is not null && string.Equals(Armed, point, StringComparison.Ordinal))
        {
            using var self = Process.GetCurrentProcess();
            self.Kill();
        }
    }
}
