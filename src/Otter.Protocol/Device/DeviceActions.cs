namespace Otter.Protocol.Device;

/// <summary>Values of <see cref="CheckInResponse.Action"/>.</summary>
public static class DeviceActions
{
    /// <summary>Nothing to do.</summary>
    public const string None = "none";

    /// <summary>Install <see cref="CheckInResponse.Update"/>.</summary>
    public const string Update = "update";

    /// <summary>
    /// Download and verify <see cref="CheckInResponse.Update"/> into the inactive slot without
    /// activating it (a download-only rollout); a later <see cref="Update"/> of the same target
    /// activates the staged slot without downloading again. An agent that does not know this
    /// action does nothing, which is the safe reading of "do not install".
    /// </summary>
    public const string Stage = "stage";

    /// <summary>Forced re-image: install <see cref="CheckInResponse.Update"/> in both slots, regardless of windows and waves.</summary>
    public const string Reimage = "reimage";

    /// <summary>Collect a forensic bundle for <see cref="CheckInResponse.Collect"/> and upload it.</summary>
    public const string Collect = "collect";
}
