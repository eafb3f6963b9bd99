namespace Otter.Protocol.Device;

/// <summary>Values of <see cref="EnrollResponse.Status"/>.</summary>
public static class EnrollmentStatus
{
    /// <summary>A certificate was issued.</summary>
    public const string Approved = "approved";

    /// <summary>An operator must approve the device first.</summary>
    public const string Pending = "pending";
}
