namespace Otter.Agent.Update;

/// <summary>
/// A release written into the inactive slot: waiting for its trial boot, or only staged (download-only).
/// <paramref name="Reused"/>: the slot already held this exact bundle from a download-only update,
/// so nothing was downloaded; TUF and the log were checked again all the same.
/// </summary>
public sealed record InstallOutcome(string Slot, string Target, string Version, long SecurityCounter, long LogIndex, long LogSize, bool Activated = true, bool Reused = false);
