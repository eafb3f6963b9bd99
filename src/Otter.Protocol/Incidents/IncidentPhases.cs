namespace Otter.Protocol.Incidents;

/// <summary>Values of <see cref="IncidentStepView.Phase"/>: the incident-response life cycle.</summary>
public static class IncidentPhases
{
    /// <summary>What fired, with its evidence.</summary>
    public const string Detection = "detection";

    /// <summary>Quarantine and credential revocation.</summary>
    public const string Containment = "containment";

    /// <summary>Forensic collection and operators' findings.</summary>
    public const string Investigation = "investigation";

    /// <summary>Re-imaging, wiping, release from quarantine.</summary>
    public const string Remediation = "remediation";

    /// <summary>Root cause and prevention, when the incident is closed.</summary>
    public const string PostMortem = "post-mortem";

    /// <summary>The phases an operator's note may name.</summary>
    public static readonly IReadOnlySet<string> All = new HashSet<string>(StringComparer.Ordinal) { Detection, Containment, Investigation, Remediation, PostMortem };
}
