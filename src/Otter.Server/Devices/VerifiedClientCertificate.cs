namespace Otter.Server.Devices;

/// <summary>A client certificate that passed the chain check on this TLS connection; later requests on it skip the chain build.</summary>
internal sealed record VerifiedClientCertificate(string Sha256, string DeviceId, DateTimeOffset NotBefore, DateTimeOffset NotAfter);
