namespace Otter.Simulator;

/// <summary>How a simulated firmware image behaves once booted (written into its <c>app</c> stage, so it is signed with the release).</summary>
public enum FirmwareBehavior
{
    /// <summary>Boots and passes its health probe.</summary>
    Healthy,

    /// <summary>The OS panics in the trial boot before the health checks can run.</summary>
    FailsToBoot,

    /// <summary>Boots, but its health probe fails.</summary>
    FailsHealthProbe,
}
