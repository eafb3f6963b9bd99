namespace Otter.Simulator;

/// <summary>How a <see cref="FleetSimulator"/> runs its devices.</summary>
public sealed record FleetSimulatorOptions
{
    /// <summary>The fleet server's device API (https).</summary>
    public required Uri Server { get; init; }

    /// <summary>The hardware id of every device.</summary>
    public string Hardware { get; init; } = "gw-x2";

    /// <summary>Devices running a cycle at the same time.</summary>
    public int Concurrency { get; init; } = Math.Max(4, Environment.ProcessorCount * 4);

    /// <summary>The real clock (devices with <see cref="DeviceBehavior.ClockSkew"/> run <see cref="ClockSkew"/> off it).</summary>
    public TimeProvider Time { get; init; } = TimeProvider.System;

    /// <summary>How far off a skewed device clock is.</summary>
    public TimeSpan ClockSkew { get; init; } = TimeSpan.FromHours(5);

    /// <summary>Chance (0–1) that a <see cref="DeviceBehavior.PowerCut"/> device has a power cut armed for a cycle.</summary>
    public double PowerCutChance { get; init; } = 0.5;

    /// <summary>An armed cut happens at a write chosen uniformly among the next this many (an install makes a few dozen).</summary>
    public int PowerCutWindow { get; init; } = 40;

    /// <summary>Trial boots per install.</summary>
    public int BootAttempts { get; init; } = 3;
}
