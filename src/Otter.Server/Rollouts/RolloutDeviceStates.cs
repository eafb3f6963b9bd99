namespace Otter.Server.Rollouts;

/// <summary>States of a device within a rollout.</summary>
internal static class RolloutDeviceStates
{
    public const string Pending = "pending";
    public const string Assigned = "assigned";
    public const string Downloading = "downloading";
    public const string Installed = "installed";
    public const string Committed = "committed";
    public const string Failed = "failed";
    public const string RolledBack = "rolled-back";
    public const string TimedOut = "timed-out";
    public const string Skipped = "skipped";
    public const string Reverted = "reverted";

    /// <summary>Started and not finished: the install timeout runs.</summary>
    public static readonly IReadOnlyList<string> InFlight = [Assigned, Downloading, Installed];

    /// <summary>
    /// Not finished for a download-only rollout, where <see cref="Installed"/> (staged) is the end:
    /// its install timeout does not run past the download.
    /// </summary>
    public static readonly IReadOnlyList<string> InFlightDownloadOnly = [Assigned, Downloading];

    /// <summary>The device's <c>AssignmentState</c> once a download-only assignment is staged: done, and not busy.</summary>
    public const string Staged = "staged";

    /// <summary>Counted against the error threshold.</summary>
    public static bool IsError(string state) => state is Failed or RolledBack or TimedOut;
}
