using System.Text.Json.Nodes;
using Otter.Agent.Platform;
using Otter.Ledger;
using Otter.Ledger.Client;
using Otter.Ledger.Notes;
using Otter.Ledger.Records;
using Otter.Ledger.Storage;
using Otter.Ledger.Tiles;
using Otter.Trust;
using Otter.Trust.Bundles;
using Otter.Trust.Tuf.Client;

namespace Otter.Agent.Update;

/// <summary>
/// Installs a release into the inactive slot: TUF workflow, log inclusion under a checkpoint
/// consistent with the last one this device accepted, hardware and anti-rollback checks, then
/// one streaming pass that hashes and writes the bundle. Any refusal leaves the active slot,
/// and everything the device trusts, as it was; the refused slot is marked empty.
/// </summary>
public sealed class UpdateClient(IDevicePlatform platform, TimeProvider time)
{
    /// <summary>
    /// Installs <paramref name="targetName"/> from <paramref name="repository"/>, proving it against
    /// <paramref name="log"/>, and schedules its trial boot. A slot that already holds the same
    /// bundle from <see cref="StageAsync"/> is activated without downloading it again.
    /// </summary>
    /// <exception cref="AgentException">The release was refused; the message says why.</exception>
    public Task<InstallOutcome> InstallAsync(IRepositoryFetcher repository, ILogReader log, string targetName, CancellationToken cancellationToken = default) =>
        WriteSlotAsync(repository, log, targetName, activate: true, cancellationToken);

    /// <summary>
    /// Download-only: verifies and writes <paramref name="targetName"/> into the inactive slot like
    /// <see cref="InstallAsync"/>, but leaves it <see cref="SlotState.Staged"/>, never booted; a
    /// slot that already holds the same bundle is left as it is.
    /// </summary>
    /// <exception cref="AgentException">The release was refused; the message says why.</exception>
    public Task<InstallOutcome> StageAsync(IRepositoryFetcher repository, ILogReader log, string targetName, CancellationToken cancellationToken = default) =>
        WriteSlotAsync(repository, log, targetName, activate: false, cancellationToken);

    /// <summary>
    /// Forced re-image of the inactive slot: like <see cref="InstallAsync"/>, but always downloads
    /// and writes the slot afresh, never reusing a staged copy, so nothing of what the slot held survives.
    /// </summary>
    /// <exception cref="AgentException">The release was refused; the message says why.</exception>
    public Task<InstallOutcome> ReimageAsync(IRepositoryFetcher repository, ILogReader log, string targetName, CancellationToken cancellationToken = default) =>
        WriteSlotAsync(repository, log, targetName, activate: true, cancellationToken, reuseStaged: false);

    private async Task<InstallOutcome> WriteSlotAsync(IRepositoryFetcher repository, ILogReader log, string targetName, bool activate, CancellationToken cancellationToken, bool reuseStaged = true)
    {
        ArgumentNullException.ThrowIfNull(repository);
        ArgumentNullException.ThrowIfNull(log);
        var control = platform.ReadBootControl();
        TargetInfo target;
        TufUpdater updater;
        ReleaseExpectation expected;
        (long Index, long Size) logged;
        try
        {
            updater = new TufUpdater(repository, platform.TrustedMetadata, timeProvider: time);
            target = await updater.GetTargetInfoAsync(targetName, cancellationToken);
            expected = Expectation(target, control.SecurityCounter);
            logged = await ProveLoggedAsync(log, target, expected, cancellationToken);
        }
        catch (Exception ex) when (ex is TrustException or IOException or HttpRequestException)
        {
            throw Reject(control, null, targetName, ex.Message, ex);
        }

        // The inactive slot: the other one than the committed slot (slot a on a fresh device).
        var slot = control.Active is null ? "a" : BootControl.Other(control.Active);
        var bundleSha256 = target.File.Hashes.TryGetValue("sha256", out var sha) ? sha.ToLowerInvariant() : null;
        if (reuseStaged && control.Slots[slot] is { State: SlotState.Staged } staged && staged.Target == targetName
            && bundleSha256 is not null && staged.BundleSha256 == bundleSha256 && staged.Version == expected.Version && staged.SecurityCounter == expected.SecurityCounter
            && platform.ReadManifest(slot) is { } stagedManifest && Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(stagedManifest)) == staged.ManifestSha256)
        {
            // TUF still signs these exact bytes and the log still proves them; the boot chain
            // checks the slot's images against its signed manifest at the trial boot.
            return UseStaged(control, slot, staged, activate, logged);
        }

        control = control.WithSlot(slot, new SlotInfo { State = SlotState.Writing, Target = targetName, Version = expected.Version }) with
        {
            Trial = control.Trial?.Slot == slot ? null : control.Trial,
        };
        platform.WriteBootControl(control);
        platform.ClearSlot(slot);
        SignedBootManifest manifest;
        try
        {
            using var parser = new BundleParserStream(new SlotBundleTarget(platform, slot, control.SecurityCounter, expected), target.File.Length);
            await updater.DownloadTargetAsync(target, parser, cancellationToken);
            manifest = parser.Complete();
        }
        catch (Exception ex) when (ex is TrustException or IOException or HttpRequestException)
        {
            throw Reject(control, slot, targetName, ex.Message, ex);
        }

        // The manifest is written last: a slot without one never boots.
        platform.WriteManifest(slot, manifest.Bytes);
        var info = new SlotInfo
        {
            State = activate ? SlotState.Trial : SlotState.Staged,
            Target = targetName,
            Version = expected.Version,
            SecurityCounter = expected.SecurityCounter,
            BundleSha256 = bundleSha256,
            ManifestSha256 = Convert.ToHexStringLower(manifest.Hash),
        };
        control = activate
            ? control.WithSlot(slot, info) with
            {
                Trial = new TrialBoot { Slot = slot, AttemptsLeft = platform.Identity.BootAttempts },
                LastResult = new AgentResult { Outcome = "installed", Slot = slot, Version = expected.Version, Detail = $"{targetName} staged for a trial boot", At = time.GetUtcNow() },
            }
            : control.WithSlot(slot, info) with
            {
                LastResult = new AgentResult { Outcome = "staged", Slot = slot, Version = expected.Version, Detail = $"{targetName} downloaded and verified; not activated (download-only)", At = time.GetUtcNow() },
            };
        platform.WriteBootControl(control);
        return new InstallOutcome(slot, targetName, expected.Version, expected.SecurityCounter, logged.Index, logged.Size, activate);
    }

    private InstallOutcome UseStaged(BootControl control, string slot, SlotInfo staged, bool activate, (long Index, long Size) logged)
    {
        if (activate)
        {
            control = control.WithSlot(slot, staged with { State = SlotState.Trial }) with
            {
                Trial = new TrialBoot { Slot = slot, AttemptsLeft = platform.Identity.BootAttempts },
                LastResult = new AgentResult { Outcome = "installed", Slot = slot, Version = staged.Version, Detail = $"{staged.Target} activated from its staged slot for a trial boot", At = time.GetUtcNow() },
            };
            platform.WriteBootControl(control);
        }

        return new InstallOutcome(slot, staged.Target!, staged.Version!, staged.SecurityCounter, logged.Index, logged.Size, activate, Reused: true);
    }

    private ReleaseExpectation Expectation(TargetInfo target, long deviceCounter)
    {
        var custom = target.File.Custom ?? [];
        var version = Text(custom, "version") ?? throw new AgentException($"{target.Path} has no version in its signed metadata; it is not an Otter release.");
        var hardware = Text(custom, "hardware") ?? throw new AgentException($"{target.Path} names no hardware in its signed metadata; it is not an Otter release.");
        long counter = 0;
        if (custom["security_counter"] is JsonValue value && !value.TryGetValue(out counter))
        {
            throw new AgentException($"{target.Path} has a security counter that is not an integer.");
        }

        if (hardware != platform.Identity.Hardware)
        {
            throw new AgentException($"{target.Path} is built for hardware {hardware}; this device is {platform.Identity.Hardware}.");
        }

        if (counter < deviceCounter)
        {
            throw new AgentException($"{target.Path} has security counter {counter}, below this device's {deviceCounter}: a downgrade, refused.");
        }

        return new ReleaseExpectation(version, counter, hardware, Text(custom, "kind") ?? "firmware");
    }

    private async Task<(long Index, long Size)> ProveLoggedAsync(ILogReader log, TargetInfo target, ReleaseExpectation expected, CancellationToken cancellationToken)
    {
        var identity = platform.Identity;
        if (target.File.Custom?["otter_log"] is not JsonObject entry
            || entry["origin"] is not JsonValue originValue || !originValue.TryGetValue<string>(out var origin)
            || entry["index"] is not JsonValue indexValue || !indexValue.TryGetValue<long>(out var index))
        {
            throw new AgentException($"{target.Path} is not recorded in the transparency log (no otter_log entry in its metadata); refused.");
        }

        if (origin != identity.LogOrigin)
        {
            throw new AgentException($"{target.Path} is recorded in the log {origin}, not in {identity.LogOrigin} which this device trusts; refused.");
        }

        var key = NoteKey.FromPem(identity.LogOrigin, identity.LogPublicKey);
        var stored = platform.ReadLogCheckpoint();
        var verifier = new LogVerifier(identity.LogOrigin, [key], stored is null ? null : SignedCheckpoint.Verify(stored, identity.LogOrigin, [key]));
        var note = await log.ReadAsync(TilePaths.Checkpoint, cancellationToken)
            ?? throw new LedgerException("the log serves no checkpoint.");
        var offered = SignedCheckpoint.Verify(note, identity.LogOrigin, [key]).Checkpoint;
        var tiles = new ProofBuilder(new TileHashReader(log, offered.Size), offered.RootHash);
        IReadOnlyList<byte[]> consistency = [];
        if (verifier.Trusted is { } trusted && trusted.Checkpoint.Size > 0 && offered.Size > trusted.Checkpoint.Size)
        {
            consistency = (await tiles.ConsistencyAsync(trusted.Checkpoint.Size, offered.Size, cancellationToken)).Proof;
        }

        var accepted = verifier.Accept(note, consistency);
        platform.WriteLogCheckpoint(System.Text.Encoding.UTF8.GetBytes(accepted.NoteText));
        if (index < 0 || index >= accepted.Checkpoint.Size)
        {
            throw new AgentException($"{target.Path} claims log entry {index}, but the log has {accepted.Checkpoint.Size} entries; refused.");
        }

        var record = new ReleaseRecord
        {
            Name = target.Path,
            Version = expected.Version,
            Sha256 = target.File.Hashes.TryGetValue("sha256", out var sha) ? sha : throw new AgentException($"{target.Path} has no sha256 in its metadata."),
            Length = target.File.Length,
            SecurityCounter = expected.SecurityCounter,
            Hardware = expected.Hardware,
            Kind = expected.Kind,
        };
        var proof = await tiles.InclusionAsync(index, accepted.Checkpoint.Size, cancellationToken);
        verifier.VerifyInclusion(record.ToEntry(), index, proof.Proof);
        return (index, accepted.Checkpoint.Size);
    }

    private AgentException Reject(BootControl control, string? slot, string target, string reason, Exception inner)
    {
        if (slot is not null)
        {
            // Nothing of a refused bundle stays: the slot is marked empty first, then cleared.
            control = control.WithSlot(slot, new SlotInfo { State = SlotState.Empty });
            platform.WriteBootControl(control);
            platform.ClearSlot(slot);
        }

        control = control with { LastResult = new AgentResult { Outcome = "rejected", Slot = slot, Detail = $"{target}: {reason}", At = time.GetUtcNow() } };
        platform.WriteBootControl(control);
        return new AgentException(reason, inner);
    }

    private static string? Text(JsonObject custom, string key) =>
        custom[key] is JsonValue value && value.TryGetValue<string>(out var text) && text.Length > 0 ? text : null;
}
