namespace Otter.Server.Hosting;

/// <summary>Whether the background loops (rollout engine, alert dispatcher) run on their own; tests drive them by hand.</summary>
internal sealed record BackgroundWork(bool Enabled);
