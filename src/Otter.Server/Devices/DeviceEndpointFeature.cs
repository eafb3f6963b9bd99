namespace Otter.Server.Devices;

/// <summary>Set on connections accepted by the device endpoint, so routing cannot be confused by a Host header.</summary>
internal sealed class DeviceEndpointFeature
{
    public static readonly DeviceEndpointFeature Instance = new();
}
