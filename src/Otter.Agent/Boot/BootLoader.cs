using Otter.Agent.Health;
using Otter.Agent.Platform;

namespace Otter.Agent.Boot;

/// <summary>
/// A (simulated) reboot: tries a pending trial slot (spending one boot attempt first, so a
/// boot that crashes or loses power counts), verifies its chain, runs the health checks, and
/// commits or rolls back; otherwise boots the active slot, falling back to the other good slot
/// when the active one no longer verifies. Every decision is persisted before it takes effect.
/// </summary>
public sealed class BootLoader(IDevicePlatform platform, IHealthChecker health, TimeProvider time)
{
    /// <summary>Boots the device and reports what happened.</summary>
    public BootOutcome Boot()
    {
        var control = platform.ReadBootControl();
        if (control.Trial is { } trial)
        {
            var slot = trial.Slot;
            var info = control.Slots[slot];
            if (trial.AttemptsLeft <= 0 || info.State != SlotState.Trial)
            {
                control = control.WithSlot(slot, info with { State = SlotState.Bad }) with { Trial = null };
                platform.WriteBootControl(control);
                return BootActive(control, "rolled-back", slot, info.Version, $"the trial of slot {slot} ({info.Version}) used all its boot attempts without reaching a health verdict");
            }

            // Spend the attempt before booting: a crash or power cut from here on counts.
            control = control with { Trial = trial with { AttemptsLeft = trial.AttemptsLeft - 1 } };
            platform.WriteBootControl(control);
            var chain = BootChainVerifier.Verify(platform, slot, control.SecurityCounter);
            if (!chain.Ok)
            {
                control = control.WithSlot(slot, info with { State = SlotState.Bad }) with { Trial = null };
                platform.WriteBootControl(control);
                return BootActive(control, "recovery", slot, info.Version, chain.Failure);
            }

            var failure = health.Check(platform, slot, chain.Manifest!);
            if (failure is not null)
            {
                control = control.WithSlot(slot, info with { State = SlotState.Bad }) with { Trial = null };
                platform.WriteBootControl(control);
                return BootActive(control, "rolled-back", slot, info.Version, failure);
            }

            var manifest = chain.Manifest!.Manifest;
            control = control.WithSlot(slot, info with { State = SlotState.Good }) with
            {
                Active = slot,
                Trial = null,
                SecurityCounter = Math.Max(control.SecurityCounter, manifest.SecurityCounter),
                Booted = slot,
                Measurement = chain.Measurement,
                LastResult = Result("committed", slot, manifest.Version, "boot chain verified and health checks passed"),
            };
            platform.WriteBootControl(control);
            return new BootOutcome("committed", slot, manifest.Version, null, chain.Measurement);
        }

        return BootActive(control, "booted", null, null, null);
    }

    private BootOutcome BootActive(BootControl control, string outcome, string? failedSlot, string? failedVersion, string? detail)
    {
        foreach (var candidate in Candidates(control))
        {
            var chain = BootChainVerifier.Verify(platform, candidate, control.SecurityCounter);
            if (chain.Ok)
            {
                var version = chain.Manifest!.Manifest.Version;
                var switched = candidate != control.Active;
                var reported = switched && outcome == "booted" ? "recovery" : outcome;
                var reason = detail ?? (switched ? $"slot {control.Active} no longer verifies; booted slot {candidate}" : null);
                control = control with
                {
                    Active = candidate,
                    Booted = candidate,
                    Measurement = chain.Measurement,
                    LastResult = Result(reported, failedSlot ?? candidate, failedVersion ?? version, reason),
                };
                platform.WriteBootControl(control);
                return new BootOutcome(reported, candidate, version, reason, chain.Measurement);
            }

            // A committed slot that no longer verifies (modified or corrupted) is never booted again.
            control = control.WithSlot(candidate, control.Slots[candidate] with { State = SlotState.Bad });
            detail ??= chain.Failure;
        }

        control = control with
        {
            Booted = null,
            Measurement = null,
            LastResult = Result(outcome == "booted" ? "no-bootable-slot" : outcome, failedSlot, failedVersion, (detail ?? "nothing installed") + "; no slot holds a verified image"),
        };
        platform.WriteBootControl(control);
        return new BootOutcome(control.LastResult.Outcome, null, null, control.LastResult.Detail, null);
    }

    private static IEnumerable<string> Candidates(BootControl control)
    {
        if (control.Active is { } active && control.Slots[active].State == SlotState.Good)
        {
            yield return active;
        }

        foreach (var slot in BootControl.SlotNames)
        {
            if (slot != control.Active && control.Slots[slot].State == SlotState.Good)
            {
                yield return slot;
            }
        }
    }

    private AgentResult Result(string outcome, string? slot, string? version, string? detail) =>
        new() { Outcome = outcome, Slot = slot, Version = version, Detail = detail, At = time.GetUtcNow() };
}
