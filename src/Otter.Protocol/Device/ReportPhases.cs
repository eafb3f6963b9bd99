namespace Otter.Protocol.Device;

/// <summary>Values of <see cref="DeviceReport.Phase"/>.</summary>
public static class ReportPhases
{
    /// <summary>Downloading and verifying.</summary>
    public const string Downloading = "downloading";

    /// <summary>Written to the inactive slot, waiting for the trial boot.</summary>
    public const string Installed = "installed";

    /// <summary>Booted, healthy and committed.</summary>
    public const string Committed = "committed";

    /// <summary>Refused or failed before a trial boot.</summary>
    public const string Failed = "failed";

    /// <summary>The trial boot failed; the previous slot runs again.</summary>
    public const string RolledBack = "rolled-back";

    /// <summary>Every phase, for validation.</summary>
    public static readonly IReadOnlySet<string> All = new HashSet<string>(StringComparer.Ordinal) { Downloading, Installed, Committed, Failed, RolledBack };
}
