using System.Runtime.InteropServices;

namespace Otter.Benchmarks;

/// <summary>
/// <c>sync(2)</c>: writes back every dirty page and commits the file system journals, so a timed
/// pass does not pay for the write-back (or, with the <c>discard</c> mount option, the trims of
/// deleted files) that an earlier pass left behind.
/// </summary>
internal static class FileSystemSync
{
    public static void SyncAll()
    {
        if (OperatingSystem.IsLinux())
        {
            NativeMethods.Sync();
        }
    }

    private static class NativeMethods
    {
        [DllImport("libc", EntryPoint = "sync")]
        [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
        internal static extern void Sync();
    }
}
