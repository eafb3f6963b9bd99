namespace Otter.Agent.Fleet;

/// <summary>What signs device tokens: the device id and the secret the server issued at enrollment.</summary>
internal sealed record DeviceTokenCredential(string DeviceId, byte[] Secret);
