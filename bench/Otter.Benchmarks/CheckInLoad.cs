using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography.X509Certificates;

using Otter.Protocol;
using Otter.Protocol.Device;

namespace Otter.Benchmarks;

/// <summary>
/// The closed-loop load of the check-in benchmark: <c>concurrency</c> workers, each with its own
/// share of the devices (one HttpClient and one keep-alive mTLS connection per device, with that
/// device's certificate), each sending one check-in at a time to a device of its share chosen at
/// random, for a warm-up and then a measured window.
/// </summary>
internal static class CheckInLoad
{
    public const string Path = "device/v1/checkin";

    /// <summary>Runs the load against <paramref name="baseUrl"/>; every device must be able to check in there.</summary>
    public static async Task<LoadResult> RunAsync(
        string target,
        int round,
        Uri baseUrl,
        IReadOnlyList<BenchDevice> devices,
        Func<X509Certificate2, HttpMessageHandler> handler,
        int concurrency,
        TimeSpan warmUp,
        TimeSpan duration,
        byte[] body)
    {
        var clients = devices.Select(d => new HttpClient(handler(d.Certificate))
        {
            BaseAddress = baseUrl,
            DefaultRequestVersion = HttpVersion.Version11,
            DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact,
            Timeout = TimeSpan.FromSeconds(60),
        }).ToArray();
        try
        {
            // Untimed: one check-in per device opens its connection (TLS handshake with its client
            // certificate) and shows that the server answers it with a check-in response.
            await Parallel.ForEachAsync(clients, new ParallelOptions { MaxDegreeOfParallelism = concurrency }, async (client, cancellationToken) =>
            {
                using var response = await client.PostAsync(Path, Content(body), cancellationToken);
                var text = await response.Content.ReadAsStringAsync(cancellationToken);
                if (response.StatusCode != HttpStatusCode.OK)
                {
                    throw new InvalidOperationException($"{target}: check-in answered {(int)response.StatusCode}: {text}");
                }

                var answer = System.Text.Json.JsonSerializer.Deserialize(text, ProtocolJsonContext.Default.CheckInResponse);
                if (answer is null || answer.Action != DeviceActions.None || answer.AttestationNonce.Length == 0)
                {
                    throw new InvalidOperationException($"{target}: an unexpected check-in answer: {text}");
                }
            });

            var start = Stopwatch.GetTimestamp();
            var measureFrom = start + (long)(warmUp.TotalSeconds * Stopwatch.Frequency);
            var measureTo = measureFrom + (long)(duration.TotalSeconds * Stopwatch.Frequency);
            var workers = Enumerable.Range(0, concurrency)
                .Select(w => Task.Run(() => WorkerAsync(clients.Where((_, i) => i % concurrency == w).ToArray(), w, body, measureFrom, measureTo)))
                .ToArray();
            var results = await Task.WhenAll(workers);
            var latencies = results.SelectMany(r => r.Latencies).ToArray();
            Array.Sort(latencies);
            return new LoadResult(
                target,
                round,
                duration.TotalSeconds,
                results.Sum(r => r.Latencies.Count),
                results.Sum(r => r.Errors),
                results.Select(r => r.FirstError).FirstOrDefault(e => e is not null),
                latencies);
        }
        finally
        {
            foreach (var client in clients)
            {
                client.Dispose();
            }
        }
    }

    private static async Task<(List<long> Latencies, long Errors, string? FirstError)> WorkerAsync(HttpClient[] mine, int seed, byte[] body, long measureFrom, long measureTo)
    {
        var random = new Random(seed);
        var latencies = new List<long>(1 << 16);
        long errors = 0;
        string? firstError = null;
        while (true)
        {
            var started = Stopwatch.GetTimestamp();
            if (started >= measureTo)
            {
                break;
            }

            var client = mine[random.Next(mine.Length)];
            string? error = null;
            try
            {
                using var response = await client.PostAsync(Path, Content(body));
                var answer = await response.Content.ReadAsByteArrayAsync();
                if (response.StatusCode != HttpStatusCode.OK || answer.Length == 0)
                {
                    error = $"{(int)response.StatusCode}: {System.Text.Encoding.UTF8.GetString(answer)}";
                }
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
            {
                error = ex.Message;
            }

            var finished = Stopwatch.GetTimestamp();

            // Only requests wholly inside the measured window count, whether they succeeded or not.
            if (started >= measureFrom && finished <= measureTo)
            {
                if (error is null)
                {
                    latencies.Add(finished - started);
                }
                else
                {
                    errors++;
                    firstError ??= error;
                }
            }
        }

        return (latencies, errors, firstError);
    }

    private static ByteArrayContent Content(byte[] body)
    {
        var content = new ByteArrayContent(body);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        return content;
    }

    /// <summary>The check-in an agent with a good image in slot a sends (no attestation quote), as JSON.</summary>
    public static byte[] Body() => System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(
        new CheckInRequest
        {
            ActiveSlot = "a",
            BootedSlot = "a",
            Slots = new Dictionary<string, SlotReport>(StringComparer.Ordinal)
            {
                ["a"] = new() { State = "good", Version = "1.5.1", SecurityCounter = 4, Target = $"{BenchDevice.Hardware}/fw-1.5.1.otb" },
                ["b"] = new() { State = "good", Version = "1.5.0", SecurityCounter = 4, Target = $"{BenchDevice.Hardware}/fw-1.5.0.otb" },
            },
            SecurityCounter = 4,
            Health = "healthy",
        },
        ProtocolJsonContext.Default.CheckInRequest);
}
