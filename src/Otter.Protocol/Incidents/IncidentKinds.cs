namespace Otter.Protocol.Incidents;

/// <summary>Values of <see cref="IncidentView.Kind"/>: the detectors (and the operator).</summary>
public static class IncidentKinds
{
    /// <summary>The quoted measurement is not the one expected for the release the device runs.</summary>
    public const string AttestationMismatch = "attestation-mismatch";

    /// <summary>The device reports that its verified boot chain failed (it booted recovery or nothing).</summary>
    public const string BootChainFailure = "boot-chain-failure";

    /// <summary>Repeated verification failures reported by the agent.</summary>
    public const string VerificationFailures = "verification-failures";

    /// <summary>A behavioural baseline (check-in rate, report volume, failed authentication) deviates.</summary>
    public const string Baseline = "baseline";

    /// <summary>The device's network is not in its registered region, or it moved faster than possible.</summary>
    public const string Geographic = "geographic";

    /// <summary>The same identity from two keys or two places at once.</summary>
    public const string ClonedIdentity = "cloned-identity";

    /// <summary>Opened by an operator (a manual quarantine).</summary>
    public const string Manual = "manual";
}
