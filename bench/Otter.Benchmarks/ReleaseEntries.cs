using System.Globalization;
using System.Security.Cryptography;

using Otter.Ledger.Records;

namespace Otter.Benchmarks;

/// <summary>Deterministic release-record log entries (canonical JSON), as Otter logs for every release.</summary>
internal static class ReleaseEntries
{
    private static readonly string[] Hardware = ["rpi4", "jetson-orin", "imx8mp", "x86-nuc"];
    private static readonly string[] Kinds = ["firmware", "bundle", "model"];

    /// <summary><paramref name="count"/> distinct entries.</summary>
    public static byte[][] Create(int count)
    {
        var entries = new byte[count][];
        Span<byte> seed = stackalloc byte[sizeof(int)];
        for (var i = 0; i < count; i++)
        {
            BitConverter.TryWriteBytes(seed, i);
            var version = string.Create(CultureInfo.InvariantCulture, $"{1 + (i / 1000)}.{i / 100 % 10}.{i % 100}");
            entries[i] = new ReleaseRecord
            {
                Name = string.Create(CultureInfo.InvariantCulture, $"fw-{i:D6}.swu"),
                Version = version,
                Sha256 = Convert.ToHexStringLower(SHA256.HashData(seed)),
                Length = 1_048_576L + (i * 4099L),
                SecurityCounter = i,
                Hardware = Hardware[i % Hardware.Length],
                Kind = Kinds[i % Kinds.Length],
            }.ToEntry();
        }

        return entries;
    }

    /// <summary>A one-line description of <paramref name="entries"/> for logs.</summary>
    public static string Describe(byte[][] entries) =>
        string.Create(CultureInfo.InvariantCulture, $"{entries.Length:N0} release-record entries of {entries.Min(e => e.Length)}-{entries.Max(e => e.Length)} bytes (mean {entries.Average(e => e.Length):F0})");
}
