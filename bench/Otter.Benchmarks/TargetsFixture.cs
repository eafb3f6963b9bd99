using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json.Nodes;

using Otter.Trust.Tuf;

namespace Otter.Benchmarks;

/// <summary>Builds a deterministic targets metadata record of a given size.</summary>
internal static class TargetsFixture
{
    private static readonly string[] Hardware = ["rpi4", "jetson-orin-nano", "imx8mp-evk", "x86-64-nuc"];

    /// <summary>
    /// <paramref name="count"/> targets, each with a length, a sha256 hash and a small
    /// <c>custom</c> object (version, hardware, log index), as a firmware or model release lists them.
    /// </summary>
    public static TargetsMetadata Create(int count)
    {
        var targets = new Dictionary<string, TargetFile>(count, StringComparer.Ordinal);
        Span<byte> seed = stackalloc byte[sizeof(int)];
        for (var i = 0; i < count; i++)
        {
            BitConverter.TryWriteBytes(seed, i);
            var hardware = Hardware[i % Hardware.Length];
            var version = string.Create(CultureInfo.InvariantCulture, $"{1 + (i / 1000)}.{i / 100 % 10}.{i % 100}");
            var path = string.Create(CultureInfo.InvariantCulture, $"firmware/{hardware}/image-{version}-{i:D5}.swu");
            targets[path] = new TargetFile
            {
                Length = 1_048_576L + (i * 4099L),
                Hashes = new Dictionary<string, string>(StringComparer.Ordinal)
                {
                    ["sha256"] = Convert.ToHexStringLower(SHA256.HashData(seed)),
                },
                Custom = new JsonObject
                {
                    ["version"] = version,
                    ["hardware"] = hardware,
                    ["log_index"] = 100_000 + i,
                },
            };
        }

        return new TargetsMetadata
        {
            Type = TufRoles.Targets,
            SpecVersion = TufRoles.SpecVersion,
            Version = 42,
            Expires = new DateTimeOffset(2030, 1, 1, 0, 0, 0, TimeSpan.Zero),
            Targets = targets,
        };
    }

    /// <summary>A one-line description of <paramref name="fileBytes"/> for logs.</summary>
    public static string Describe(int count, ReadOnlySpan<byte> fileBytes) =>
        string.Create(CultureInfo.InvariantCulture, $"targets.json with {count:N0} targets: {fileBytes.Length:N0} bytes");
}
