namespace Otter.Agent.Cli;

/// <summary>What a device trusts, from a device-trust folder or from the individual flags.</summary>
internal sealed record TrustAnchors(byte[] TrustedRoot, string LogKeyPem, string LogOrigin, string? ServerCaPem);
