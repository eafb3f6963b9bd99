namespace Otter.Agent.Platform;

/// <summary>A file stream that flushes to disk and syncs its directory when disposed.</summary>
internal sealed class DurableFileStream(string path)
    : FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16)
{
    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            Flush(flushToDisk: true);
        }

        base.Dispose(disposing);
        if (disposing)
        {
            DirectoryDeviceStorage.SyncDirectory(Path.GetDirectoryName(Name)!);
        }
    }
}
