using System.Security.Cryptography.X509Certificates;

namespace Otter.Agent.Tests.TestSupport;

/// <summary>One device API request the stub received.</summary>
/// <param name="Path">The request path.</param>
/// <param name="Authorization">The Authorization header, if any.</param>
/// <param name="ClientCertificate">The TLS client certificate, if any.</param>
/// <param name="TokenValid">Whether a device token header verified (null when there was none).</param>
/// <param name="Status">What the stub answered.</param>
/// <param name="ArrivedAt">When it arrived (<see cref="System.Diagnostics.Stopwatch"/> ticks).</param>
internal sealed record FleetRequest(string Path, string? Authorization, X509Certificate2? ClientCertificate, bool? TokenValid, int Status, long ArrivedAt);
