namespace Otter.Agent.Tests.TestSupport;

/// <summary>What <see cref="ReleaseFactory"/> puts in a bundle built with <c>otter bundle create</c>.</summary>
internal sealed record BundleSpec
{
    public required string Version { get; init; }

    public required long SecurityCounter { get; init; }

    public string Hardware { get; init; } = ReleaseFactory.Hardware;

    /// <summary>What the application stage (a shell script the health probe runs) exits with.</summary>
    public int AppExitCode { get; init; }

    /// <summary>The key file (under keys/) that signs the boot manifest.</summary>
    public string BootKey { get; init; } = "boot";

    /// <summary>When positive, the OS stage is this many pseudo-random bytes (for slow installs).</summary>
    public int OsLength { get; init; }

    /// <summary>Changes stage contents without changing anything else.</summary>
    public string Salt { get; init; } = string.Empty;

    public static BundleSpec Healthy(string version, long securityCounter) => new() { Version = version, SecurityCounter = securityCounter };

    public static BundleSpec FailingProbe(string version, long securityCounter) => Healthy(version, securityCounter) with { AppExitCode = 1 };

    public static BundleSpec ForeignBootKey(string version, long securityCounter) => Healthy(version, securityCounter) with { BootKey = ReleaseFactory.ForeignBootKey };

    public static BundleSpec WrongHardware(string version, long securityCounter) => Healthy(version, securityCounter) with { Hardware = "other-board" };
}
