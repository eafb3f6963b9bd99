namespace Otter.Protocol.Device;

/// <summary>Values of <see cref="CheckInResponse.Action"/>.</summary>
public static class DeviceActions
{
    /// <summary>Nothing to do.</summary>
    public const string None = "none";

    /// <summary>Install <see cref="CheckInResponse.Update"/>.</summary>
    public const string Update = "update";
}
