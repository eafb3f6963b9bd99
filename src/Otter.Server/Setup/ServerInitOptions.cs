using Otter.Trust.Keys;

namespace Otter.Server.Setup;

/// <summary>What <c>otter server init</c> was given.</summary>
public sealed record ServerInitOptions
{
    /// <summary>The new data directory (must not exist or be empty).</summary>
    public required string DataDirectory { get; init; }

    /// <summary>The offline root keys: they sign the first root metadata and are not stored.</summary>
    public required IReadOnlyList<KeyHandle> RootKeys { get; init; }

    /// <summary>Root signatures required.</summary>
    public int RootThreshold { get; init; } = 1;

    /// <summary>The name in the server's TLS certificate and the log origin.</summary>
    public string Hostname { get; init; } = "localhost";

    /// <summary>An existing targets key (file or pkcs11: URI); a new encrypted key file when null.</summary>
    public string? TargetsKey { get; init; }

    /// <summary>An existing snapshot key; new when null.</summary>
    public string? SnapshotKey { get; init; }

    /// <summary>An existing timestamp key; new when null.</summary>
    public string? TimestampKey { get; init; }

    /// <summary>An existing log key; new when null.</summary>
    public string? LogKey { get; init; }

    /// <summary>A PostgreSQL database to use instead of SQLite.</summary>
    public string? Database { get; init; }

    /// <summary>Management API URL to record.</summary>
    public string? ApiUrl { get; init; }

    /// <summary>Device API URL to record.</summary>
    public string? DeviceUrl { get; init; }

    /// <summary>PBKDF2 iterations for the key files init generates (lower only for tests and throw-away demos).</summary>
    public int KeyFileIterations { get; init; } = KeyFile.Pbkdf2Iterations;

    /// <summary>Keep enrolling devices pending until approved.</summary>
    public bool RequireApproval { get; init; }
}
