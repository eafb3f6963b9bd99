namespace Otter.Protocol.Management;

/// <summary>Values of <see cref="DeviceView.Status"/>.</summary>
public static class DeviceStatuses
{
    /// <summary>Enrolled; waits for an operator's approval.</summary>
    public const string Pending = "pending";

    /// <summary>In service.</summary>
    public const string Approved = "approved";

    /// <summary>Contained: only remediation endpoints answer it.</summary>
    public const string Quarantined = "quarantined";

    /// <summary>Wiped by the fleet: credentials revoked, the device told to crypto-erase and re-enroll as a new identity.</summary>
    public const string Wiped = "wiped";

    /// <summary>Retired: its credentials no longer work.</summary>
    public const string Decommissioned = "decommissioned";
}
