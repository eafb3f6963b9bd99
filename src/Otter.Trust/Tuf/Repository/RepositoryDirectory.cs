using System.Globalization;
using System.Text.Json;

namespace Otter.Trust.Tuf.Repository;

/// <summary>
/// The on-disk layout of an Otter TUF repository: <c>metadata/</c> (<c>N.root.json</c>,
/// <c>root.json</c>, <c>N.targets.json</c>, <c>N.snapshot.json</c>, <c>timestamp.json</c>),
/// <c>targets/</c> (<c>&lt;sha256&gt;.&lt;name&gt;</c>) and <c>otter-repo.json</c>.
/// </summary>
internal sealed class RepositoryDirectory : IDisposable
{
    public const string ConfigFileName = "otter-repo.json";
    private const string LockFileName = ".otter-lock";
    private const long MaxMetadataLength = 64L * 1024 * 1024;

    private readonly FileStream _lock;

    private readonly bool _createdByUs;

    private RepositoryDirectory(string root, FileStream lockStream, bool createdByUs)
    {
        Root = root;
        _lock = lockStream;
        _createdByUs = createdByUs;
    }

    /// <summary>Set once the change is committed; a new repository that never was is removed again.</summary>
    public bool Committed { get; set; }

    public string Root { get; }

    public string MetadataDirectory => Path.Combine(Root, "metadata");

    public string TargetsDirectory => Path.Combine(Root, "targets");

    public string ConfigPath => Path.Combine(Root, ConfigFileName);

    /// <summary>Opens an existing repository for a change, holding its lock until disposed.</summary>
    public static RepositoryDirectory OpenExisting(string directory)
    {
        var root = Path.GetFullPath(directory);
        if (!File.Exists(Path.Combine(root, "metadata", "root.json")) || !File.Exists(Path.Combine(root, ConfigFileName)))
        {
            throw new RepositoryEditException($"{directory} is not an Otter repository (no metadata/root.json or {ConfigFileName}); create one with `otter repo init`.");
        }

        return new RepositoryDirectory(root, AcquireLock(root, directory), createdByUs: false);
    }

    /// <summary>Opens a directory that must not exist yet or be empty, for <c>repo init</c>.</summary>
    public static RepositoryDirectory CreateNew(string directory)
    {
        var root = Path.GetFullPath(directory);
        if (File.Exists(root))
        {
            throw new RepositoryEditException($"{directory} is a file; give a new or empty directory.");
        }

        if (Directory.Exists(root) && Directory.EnumerateFileSystemEntries(root).Any())
        {
            throw new RepositoryEditException($"{directory} is not empty; give a new or empty directory (Otter never overwrites a repository).");
        }

        var created = !Directory.Exists(root);
        Directory.CreateDirectory(root);
        return new RepositoryDirectory(root, AcquireLock(root, directory), created);
    }

    public string MetadataPath(string fileName) => Path.Combine(MetadataDirectory, fileName);

    public string TargetPath(string relative) => Path.Combine(TargetsDirectory, relative.Replace('/', Path.DirectorySeparatorChar));

    /// <summary>Reads and self-verifies the current metadata: every file must verify against the current root.</summary>
    public RepositoryState Load()
    {
        var config = LoadConfig();
        var root = LoadMetadata<RootMetadata>("root.json");
        VerifyRole(root, "root.json", TufRoles.Root, root.Signed);
        var timestamp = LoadMetadata<TimestampMetadata>("timestamp.json");
        VerifyRole(timestamp, "timestamp.json", TufRoles.Timestamp, root.Signed);
        var snapshotVersion = timestamp.Signed.SnapshotMeta!.Version;
        var snapshotName = string.Create(CultureInfo.InvariantCulture, $"{snapshotVersion}.snapshot.json");
        var snapshot = LoadMetadata<SnapshotMetadata>(snapshotName);
        VerifyRole(snapshot, snapshotName, TufRoles.Snapshot, root.Signed);
        if (!snapshot.Signed.Meta.TryGetValue("targets.json", out var targetsMeta))
        {
            throw Damaged($"{snapshotName} does not list targets.json");
        }

        var targetsName = string.Create(CultureInfo.InvariantCulture, $"{targetsMeta.Version}.targets.json");
        var targets = LoadMetadata<TargetsMetadata>(targetsName);
        VerifyRole(targets, targetsName, TufRoles.Targets, root.Signed);
        return new RepositoryState(root, targets, snapshot, timestamp, config);
    }

    public RepositoryConfig LoadConfig()
    {
        try
        {
            var bytes = File.ReadAllBytes(ConfigPath);
            return JsonSerializer.Deserialize(bytes, RepositoryJsonContext.Default.RepositoryConfig)
                ?? throw Damaged($"{ConfigFileName} is empty");
        }
        catch (JsonException ex)
        {
            throw Damaged($"{ConfigFileName} is not valid ({ex.Message})", ex);
        }
        catch (IOException ex)
        {
            throw Damaged($"{ConfigFileName} cannot be read ({ex.Message})", ex);
        }
    }

    public static byte[] SerializeConfig(RepositoryConfig config) =>
        JsonSerializer.SerializeToUtf8Bytes(config, RepositoryJsonContext.Default.RepositoryConfig);

    public void Dispose()
    {
        // The lock file stays: deleting it would let two writers each lock a different file.
        CleanStaleTemps();
        _lock.Dispose();
        if (!Committed && _createdByUs)
        {
            Directory.Delete(Root, recursive: true);
        }
        else if (!Committed && Directory.Exists(Root) && !Directory.EnumerateFileSystemEntries(Root).Any(e => Path.GetFileName(e) != LockFileName))
        {
            // An empty directory given to a failed `repo init` is left empty, as it was.
            File.Delete(Path.Combine(Root, LockFileName));
        }
    }

    private Metadata<T> LoadMetadata<T>(string fileName)
        where T : SignedMetadata
    {
        var path = MetadataPath(fileName);
        try
        {
            var info = new FileInfo(path);
            if (!info.Exists)
            {
                throw Damaged($"metadata/{fileName} is missing");
            }

            if (info.Length > MaxMetadataLength)
            {
                throw Damaged($"metadata/{fileName} is {info.Length} bytes, more than the {MaxMetadataLength} allowed");
            }

            return TufMetadata.Parse<T>(File.ReadAllBytes(path), "metadata/" + fileName);
        }
        catch (MalformedMetadataException ex)
        {
            throw Damaged(ex.Message, ex);
        }
    }

    private void VerifyRole<T>(Metadata<T> metadata, string fileName, string role, RootMetadata root)
        where T : SignedMetadata
    {
        var keys = root.Roles[role];
        try
        {
            ThresholdVerifier.Verify(metadata, "metadata/" + fileName, role, keys.KeyIds, keys.Threshold, root.Keys);
        }
        catch (UnsignedMetadataException ex)
        {
            throw Damaged(ex.Message, ex);
        }
    }

    private RepositoryEditException Damaged(string what, Exception? inner = null) =>
        new($"repository {Root} is damaged: {what}. Restore it from a backup; Otter will not sign on top of it.", inner);

    private static FileStream AcquireLock(string root, string shown)
    {
        try
        {
            return new FileStream(Path.Combine(root, LockFileName), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, 1, FileOptions.None);
        }
        catch (IOException ex)
        {
            throw new RepositoryEditException($"{shown} is being changed by another otter command (lock file {LockFileName}); wait for it to finish.", ex);
        }
    }

    private void CleanStaleTemps()
    {
        // Staged files of a change that was killed before it could clean up after itself.
        foreach (var directory in new[] { Root, MetadataDirectory, TargetsDirectory })
        {
            if (!Directory.Exists(directory))
            {
                continue;
            }

            foreach (var stale in Directory.EnumerateFiles(directory, RepositoryTransaction.TempPrefix + "*", SearchOption.AllDirectories))
            {
                try
                {
                    File.Delete(stale);
                }
                catch (IOException)
                {
                }
            }
        }
    }
}
