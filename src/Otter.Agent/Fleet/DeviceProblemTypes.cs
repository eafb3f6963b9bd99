namespace Otter.Agent.Fleet;

/// <summary>The problem types of device API refusals the agent acts on (the server's <c>DeviceAuthenticationMiddleware</c> sends them).</summary>
internal static class DeviceProblemTypes
{
    /// <summary>403: the device is quarantined; only the remediation check-in, remediation reports and forensic uploads answer.</summary>
    public const string Quarantined = "urn:otter:problem:device-quarantined";

    /// <summary>403: the fleet wiped the device; it must crypto-erase and enroll again with its factory identity.</summary>
    public const string Wiped = "urn:otter:problem:device-wiped";
}
