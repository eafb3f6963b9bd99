namespace Otter.Server.Setup;

/// <summary><c>server.json</c> <c>incidents</c>: the detection policy and the detectors' knobs.</summary>
internal sealed record IncidentSettings
{
    /// <summary>Actions: nothing, an alert only, an incident (with an alert), or an incident with quarantine (and an alert).</summary>
    public const string Ignore = "ignore";

    /// <summary>See <see cref="Ignore"/>.</summary>
    public const string Alert = "alert";

    /// <summary>See <see cref="Ignore"/>.</summary>
    public const string Incident = "incident";

    /// <summary>See <see cref="Ignore"/>.</summary>
    public const string Quarantine = "quarantine";

    /// <summary>What each detector (an <c>IncidentKinds</c> value) does when it fires.</summary>
    public Dictionary<string, string> Policy { get; set; } = new(StringComparer.Ordinal)
    {
        ["attestation-mismatch"] = Quarantine,
        ["boot-chain-failure"] = Quarantine,
        ["verification-failures"] = Incident,
        ["baseline"] = Alert,
        ["geographic"] = Incident,
        ["cloned-identity"] = Incident,
    };

    /// <summary>Alert severity per detector; <c>high</c> when absent.</summary>
    public Dictionary<string, string> Severity { get; set; } = new(StringComparer.Ordinal)
    {
        ["attestation-mismatch"] = "high",
        ["boot-chain-failure"] = "high",
        ["verification-failures"] = "high",
        ["baseline"] = "warning",
        ["geographic"] = "high",
        ["cloned-identity"] = "high",
    };

    /// <summary>Largest forensic bundle a device may upload.</summary>
    public long ForensicBundleLimit { get; set; } = 16L * 1024 * 1024;

    /// <summary>Failed updates (reports <c>failed</c>) from one device within <see cref="VerificationFailureWindowMinutes"/> that count as repeated verification failures.</summary>
    public int VerificationFailureThreshold { get; set; } = 3;

    /// <summary>See <see cref="VerificationFailureThreshold"/>.</summary>
    public int VerificationFailureWindowMinutes { get; set; } = 60;

    /// <summary>EWMA smoothing factor of the behavioural baselines (0 to 1; smaller remembers longer).</summary>
    public double BaselineAlpha { get; set; } = 0.05;

    /// <summary>Samples (check-in intervals) a device's baseline learns from before it can fire.</summary>
    public int BaselineWarmup { get; set; } = 30;

    /// <summary>How many standard deviations from the mean make a deviation.</summary>
    public double BaselineDeviation { get; set; } = 6;

    /// <summary>Failed authentications in a row (no success between) that fire at once, baseline or not.</summary>
    public int FailedAuthThreshold { get; set; } = 20;

    /// <summary>Network (CIDR) to region, e.g. <c>"10.1.0.0/16": "eu-west"</c>; a device's <c>region</c> attribute must match.</summary>
    public Dictionary<string, string> Regions { get; set; } = new(StringComparer.Ordinal);

    /// <summary>A device seen in two regions less than this apart has moved faster than possible.</summary>
    public int MinimumRegionTravelMinutes { get; set; } = 60;

    /// <summary>What is wrong with these settings (empty when usable).</summary>
    public IEnumerable<string> Problems()
    {
        string[] actions = [Ignore, Alert, Incident, Quarantine];
        foreach (var (kind, action) in Policy)
        {
            if (!actions.Contains(action, StringComparer.Ordinal))
            {
                yield return $"policy.{kind} is \"{action}\"; it must be one of {string.Join(", ", actions)}.";
            }
        }

        string[] severities = ["critical", "high", "warning", "info"];
        foreach (var (kind, severity) in Severity)
        {
            if (!severities.Contains(severity, StringComparer.Ordinal))
            {
                yield return $"severity.{kind} is \"{severity}\"; it must be one of {string.Join(", ", severities)}.";
            }
        }

        if (ForensicBundleLimit is < 1024 or > 1024L * 1024 * 1024)
        {
            yield return "forensic_bundle_limit must be 1 KiB to 1 GiB.";
        }

        if (BaselineAlpha is <= 0 or >= 1 || BaselineWarmup < 1 || BaselineDeviation <= 0 || FailedAuthThreshold < 1)
        {
            yield return "baseline_alpha must be between 0 and 1 (exclusive); baseline_warmup, baseline_deviation and failed_auth_threshold must be positive.";
        }

        if (VerificationFailureThreshold < 1 || VerificationFailureWindowMinutes < 1 || MinimumRegionTravelMinutes < 0)
        {
            yield return "verification_failure_threshold and verification_failure_window_minutes must be positive; minimum_region_travel_minutes at least 0.";
        }

        foreach (var (network, region) in Regions)
        {
            if (!System.Net.IPNetwork.TryParse(network, out _) || string.IsNullOrWhiteSpace(region))
            {
                yield return $"regions: \"{network}\" is not a CIDR network (e.g. 10.1.0.0/16) with a region name.";
            }
        }
    }
}
