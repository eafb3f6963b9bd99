namespace Otter.Server.Setup;

/// <summary>What <c>otter server init</c> made.</summary>
public sealed record ServerInitResult(string DataDirectory, string AdminApiKey, string LogOrigin, string DeviceTrustDirectory, string DevFactoryDirectory, IReadOnlyList<string> GeneratedKeys);
