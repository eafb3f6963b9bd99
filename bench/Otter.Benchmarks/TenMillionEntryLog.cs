using System.Diagnostics;
using System.Globalization;
using System.Text.Unicode;

using Otter.Ledger.Log;
using Otter.Ledger.Storage;
using Otter.Trust;
using Otter.Trust.Keys;

namespace Otter.Benchmarks;

/// <summary>
/// A 10,000,000-entry log on disk for the proof benchmarks, built once and cached in the temp
/// directory (<c>/tmp/otter-bench-log-10000000</c>): later runs reuse it when its signed
/// checkpoint verifies, its tiles hash to that checkpoint and its size is right.
/// </summary>
internal static class TenMillionEntryLog
{
    /// <summary>Entries in the log.</summary>
    public const long Entries = 10_000_000;

    /// <summary>Entries appended per batch while building.</summary>
    public const int BuildBatch = 1_000_000;

    /// <summary>Bytes per entry: <c>entry-</c> and an 8-digit index.</summary>
    public const int EntryLength = 14;

    private const string Origin = "bench.otter.example/10m";
    private const string BuildInfoFile = ".otter-bench-build";

    /// <summary>Where the log is cached.</summary>
    public static string DirectoryPath { get; } = Path.Combine(Path.GetTempPath(), "otter-bench-log-" + Entries.ToString(CultureInfo.InvariantCulture));

    /// <summary>The entry at <paramref name="index"/>.</summary>
    public static byte[] Entry(long index)
    {
        var entry = new byte[EntryLength];
        if (!Utf8.TryWrite(entry, CultureInfo.InvariantCulture, $"entry-{index:D8}", out var written) || written != EntryLength)
        {
            throw new InvalidOperationException($"entry {index} does not fit in {EntryLength} bytes");
        }

        return entry;
    }

    /// <summary>Opens the cached log read-only, building it first when it is missing or does not verify.</summary>
    public static async Task<(TransparencyLog Log, string Description)> OpenAsync()
    {
        var cached = await TryOpenAsync(DirectoryPath);
        if (cached is not null)
        {
            var info = File.Exists(Path.Combine(DirectoryPath, BuildInfoFile)) ? File.ReadAllText(Path.Combine(DirectoryPath, BuildInfoFile)).Trim() : "build time not recorded";
            return (cached, $"reused {DirectoryPath} ({info})");
        }

        if (Directory.Exists(DirectoryPath))
        {
            Directory.Delete(DirectoryPath, recursive: true);
        }

        // Built under another name and renamed when complete, so a build that is interrupted is never reused.
        var building = DirectoryPath + ".building";
        if (Directory.Exists(building))
        {
            Directory.Delete(building, recursive: true);
        }

        Directory.CreateDirectory(building);
        var started = DateTime.UtcNow;
        var stopwatch = Stopwatch.StartNew();
        using (var signer = new EcdsaSigner(EcdsaP256.Generate(), "bench"))
        using (var log = await TransparencyLog.CreateAsync(new DirectoryLogStorage(building), Origin, signer))
        {
            for (long first = 0; first < Entries; first += BuildBatch)
            {
                var batch = new byte[(int)Math.Min(BuildBatch, Entries - first)][];
                for (var i = 0; i < batch.Length; i++)
                {
                    batch[i] = Entry(first + i);
                }

                await log.AppendAsync(batch);
            }
        }

        stopwatch.Stop();
        var built = string.Create(CultureInfo.InvariantCulture, $"built {started:yyyy-MM-dd HH:mm} UTC in {stopwatch.Elapsed.TotalSeconds:F0} s: {Entries:N0} entries of {EntryLength} bytes, appended in batches of {BuildBatch:N0}");
        await File.WriteAllTextAsync(Path.Combine(building, BuildInfoFile), built + "\n");
        Directory.Move(building, DirectoryPath);
        var opened = await TryOpenAsync(DirectoryPath)
            ?? throw new InvalidOperationException($"the log just built in {DirectoryPath} does not open");
        return (opened, $"{built} into {DirectoryPath}, this run");
    }

    /// <summary>Reads every hash tile once, so the proof benchmarks find them in the OS page cache.</summary>
    public static string WarmPageCache()
    {
        var stopwatch = Stopwatch.StartNew();
        var files = 0;
        long bytes = 0;
        var entries = Path.Combine(DirectoryPath, "tile", "entries") + Path.DirectorySeparatorChar;
        foreach (var path in Directory.EnumerateFiles(Path.Combine(DirectoryPath, "tile"), "*", SearchOption.AllDirectories))
        {
            if (!path.StartsWith(entries, StringComparison.Ordinal))
            {
                bytes += File.ReadAllBytes(path).Length;
                files++;
            }
        }

        return string.Create(CultureInfo.InvariantCulture, $"page cache warmed: read {files:N0} hash tiles ({bytes / 1048576.0:F0} MiB) in {stopwatch.Elapsed.TotalSeconds:F1} s");
    }

    private static async Task<TransparencyLog?> TryOpenAsync(string directory)
    {
        if (!Directory.Exists(directory))
        {
            return null;
        }

        TransparencyLog log;
        try
        {
            // Verifies the signed checkpoint with the log's key and the right-edge tiles against its
            // root; a log that does not throws LogStateException (a TrustException).
            log = await TransparencyLog.OpenAsync(new DirectoryLogStorage(directory), signer: null);
        }
        catch (TrustException)
        {
            return null;
        }

        if (log.Size != Entries || log.Config.Origin != Origin)
        {
            log.Dispose();
            return null;
        }

        return log;
    }
}
