using Otter.Agent.Platform;
using Otter.Protocol.Device;
using Otter.Trust.Attestation;

namespace Otter.Agent.Fleet;

/// <summary>The check-in a device sends: its boot control state in the device API's words.</summary>
internal static class CheckInRequests
{
    public static CheckInRequest From(BootControl control, AttestationQuote? quote)
    {
        ArgumentNullException.ThrowIfNull(control);
        return new CheckInRequest
        {
            ActiveSlot = control.Active,
            BootedSlot = control.Booted,
            Slots = control.Slots.ToDictionary(s => s.Key, s => Slot(s.Value), StringComparer.Ordinal),
            SecurityCounter = control.SecurityCounter,
            LastResult = control.LastResult is { } last
                ? new ResultReport { Outcome = last.Outcome, Slot = last.Slot, Version = last.Version, Detail = last.Detail, At = last.At }
                : null,
            Health = Health(control),
            Quote = quote,
        };
    }

    private static SlotReport Slot(SlotInfo info) => info.State switch
    {
        // An install that never finished holds nothing bootable: to the server the slot is empty.
        SlotState.Writing or SlotState.Empty => new SlotReport { State = "empty" },
        SlotState.Trial or SlotState.Staged => new SlotReport { State = "staged", Version = info.Version, SecurityCounter = info.SecurityCounter, Target = info.Target },
        SlotState.Good => new SlotReport { State = "good", Version = info.Version, SecurityCounter = info.SecurityCounter, Target = info.Target },
        _ => new SlotReport { State = "bad", Version = info.Version, SecurityCounter = info.SecurityCounter, Target = info.Target },
    };

    private static string Health(BootControl control) =>
        control.Booted is not null ? "healthy"
        : control.LastResult?.Outcome == "no-bootable-slot" ? "unhealthy"
        : "unknown";
}
