using System.Text.Json.Nodes;
using Otter.Ledger.Log;
using Otter.Ledger.Records;
using Otter.Ledger.Storage;
using Otter.Trust.Keys;
using Otter.Trust.Tuf.Repository;

namespace Otter.Cli.Cli;

/// <summary>
/// <c>otter repo add --log</c>: appends the release record to the transparency log just before
/// the targets metadata is signed, and records the entry's index in the target's custom data
/// (<c>otter_log: {origin, index}</c>) so that a device can fetch and check its inclusion proof.
/// </summary>
internal sealed class ReleaseLogging : IDisposable
{
    public const string SecurityCounterKey = "security_counter";
    public const string LogKey = "otter_log";

    private readonly TransparencyLog _log;

    private ReleaseLogging(TransparencyLog log) => _log = log;

    /// <summary>The logged entry, once <see cref="Append"/> ran.</summary>
    public (string Origin, long Index, long Size)? Logged { get; private set; }

    public static async Task<ReleaseLogging> OpenAsync(string directory, ISigner signer, JsonObject? custom, CancellationToken cancellationToken)
    {
        if (custom is null || Text(custom, "version") is null || Text(custom, "hardware") is null)
        {
            throw new UsageException("--log needs the release's version and hardware for its log record: add --custom version=V --custom hardware=ID (optionally security_counter=N and kind=firmware|bundle|model).");
        }

        if (!Directory.Exists(directory))
        {
            throw new UsageException($"--log {directory} does not exist; create the log with `otter log init`.");
        }

        return new ReleaseLogging(await TransparencyLog.OpenAsync(new DirectoryLogStorage(directory), signer, cancellationToken));
    }

    public JsonObject? Append(TargetDraft draft)
    {
        ArgumentNullException.ThrowIfNull(draft);
        var custom = draft.Custom ?? [];
        var record = new ReleaseRecord
        {
            Name = draft.Name,
            Version = Text(custom, "version")!,
            Sha256 = draft.Sha256,
            Length = draft.Length,
            SecurityCounter = custom[SecurityCounterKey] is JsonValue counter ? counter.GetValue<long>() : 0,
            Hardware = Text(custom, "hardware")!,
            Kind = Text(custom, "kind") ?? "firmware",
        };

        // The repository change is synchronous; the append is the one awaited step inside it.
        var result = _log.AppendAsync([record.ToEntry()]).GetAwaiter().GetResult();
        Logged = (_log.Config.Origin, result.FirstIndex, result.Checkpoint.Checkpoint.Size);
        var signed = (JsonObject)custom.DeepClone();
        signed[LogKey] = new JsonObject { ["origin"] = _log.Config.Origin, ["index"] = result.FirstIndex };
        return signed;
    }

    public void Dispose() => _log.Dispose();

    private static string? Text(JsonObject custom, string key) =>
        custom[key] is JsonValue value && value.TryGetValue<string>(out var text) && text.Length > 0 ? text : null;
}
