namespace Otter.Server.Alerts;

/// <summary>What alerts are about, and how bad each is.</summary>
internal static class AlertKinds
{
    public const string RolloutHalted = "rollout.halted";
    public const string RolloutCompleted = "rollout.completed";
    public const string DeviceRolledBack = "device.rolled-back";
    public const string AttestationMismatch = "attestation.mismatch";
    public const string KeyExpiring = "key.expiring";

    public const string Critical = "critical";
    public const string High = "high";
    public const string Warning = "warning";
    public const string Info = "info";
}
