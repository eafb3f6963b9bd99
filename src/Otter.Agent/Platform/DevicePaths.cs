namespace Otter.Agent.Platform;

/// <summary>The simulated device's layout (DESIGN §3).</summary>
public static class DevicePaths
{
    /// <summary>SHA-256 (hex) of the boot key, written once at manufacture.</summary>
    public const string FusedBootKey = "rom/boot-key.sha256";

    /// <summary>Identity and trusted log.</summary>
    public const string Identity = "device.json";

    /// <summary>Boot control block.</summary>
    public const string BootControl = "bootctl.json";

    /// <summary>Health probes.</summary>
    public const string Health = "health.json";

    /// <summary>The generated device key.</summary>
    public const string DeviceKey = "keys/device.key";

    /// <summary>Trusted TUF metadata (root first provisioned here).</summary>
    public const string TufDirectory = "state/tuf";

    /// <summary>The last accepted log checkpoint.</summary>
    public const string LogCheckpoint = "state/log-checkpoint";

    /// <summary>The fleet CA certificate (PEM) the server's TLS certificate must chain to; absent on offline devices.</summary>
    public const string FleetCa = "fleet/ca.pem";

    /// <summary>The fleet certificate (PEM) the server issued at enrollment, for the device key.</summary>
    public const string FleetCertificate = "fleet/cert.pem";

    /// <summary>The base64 secret for signed device tokens, issued at enrollment (mode 0600).</summary>
    public const string FleetTokenSecret = "fleet/token.secret";

    /// <summary>What the agent keeps between check-ins (the attestation nonce).</summary>
    public const string FleetState = "fleet/state.json";

    /// <summary>Present while a fleet-ordered wipe is not finished: the next cycle completes it before anything else.</summary>
    public const string WipePending = "fleet/wipe.pending";

    /// <summary>The agent's log: every line the fleet agent prints, time-stamped.</summary>
    public const string AgentLog = "logs/agent.log";

    /// <summary>The previous agent log, kept when the log is rotated.</summary>
    public const string AgentLogPrevious = "logs/agent.log.1";

    /// <summary>The factory identity certificate (PEM, leaf first).</summary>
    public const string FactoryCertificate = "factory/identity.pem";

    /// <summary>The generated factory identity key (an encrypted key file like the device key).</summary>
    public const string FactoryKey = "factory/identity.key";

    /// <summary>A slot's directory.</summary>
    public static string Slot(string slot) => $"slots/{slot}";

    /// <summary>A slot's boot manifest.</summary>
    public static string Manifest(string slot) => $"slots/{slot}/manifest.json";

    /// <summary>A stage file.</summary>
    public static string Stage(string slot, string stage) => $"slots/{slot}/{stage}.stage";
}
