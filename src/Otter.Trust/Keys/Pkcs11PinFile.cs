using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Win32.SafeHandles;

namespace Otter.Trust.Keys;

/// <summary>
/// A token PIN in an anonymous in-memory file (Linux <c>memfd_create</c>), handed to OpenSSL's
/// pkcs11 engine as <c>pin-source=/proc/self/fd/N</c> rather than as <c>pin-value=</c>.
/// </summary>
/// <remarks>
/// libp11 prints the key URI it was given on stderr whenever a key cannot be loaded ("The
/// private key was not found at: pkcs11:...?pin-value=1234"), which would put the PIN into
/// terminal and CI logs. With the PIN in a memfd the URI holds only a file descriptor path.
/// The file never touches a disk, is private to this process (and its owner, through
/// <c>/proc</c>), is not inherited by child processes, and is closed as soon as the engine has
/// read it (libp11 keeps its own copy of the PIN for logins it needs later).
/// </remarks>
internal sealed class Pkcs11PinFile : IDisposable
{
    private const uint MemfdCloexec = 1;

    private readonly SafeFileHandle _handle;

    private Pkcs11PinFile(SafeFileHandle handle, string path)
    {
        _handle = handle;
        Path = path;
    }

    /// <summary>The path the engine reads the PIN from (<c>/proc/self/fd/N</c>).</summary>
    public string Path { get; }

    /// <summary>
    /// Puts <paramref name="pin"/> in a memfd, or returns null when that is not possible here
    /// (not Linux, no <c>memfd_create</c>, no <c>/proc</c>, or a PIN with a line break, which a
    /// PIN file cannot hold).
    /// </summary>
    public static Pkcs11PinFile? TryCreate(string pin)
    {
        ArgumentNullException.ThrowIfNull(pin);
        if (!OperatingSystem.IsLinux() || pin.Contains('\n', StringComparison.Ordinal) || pin.Contains('\r', StringComparison.Ordinal))
        {
            return null;
        }

        int fd;
        try
        {
            fd = NativeMethods.MemfdCreate("otter-pkcs11-pin\0"u8.ToArray(), MemfdCloexec);
        }
        catch (Exception ex) when (ex is DllNotFoundException or EntryPointNotFoundException)
        {
            return null;
        }

        if (fd < 0)
        {
            return null;
        }

        var handle = new SafeFileHandle(fd, ownsHandle: true);
        var bytes = Encoding.UTF8.GetBytes(pin);
        try
        {
            RandomAccess.Write(handle, bytes, fileOffset: 0);
            var path = "/proc/self/fd/" + fd.ToString(System.Globalization.CultureInfo.InvariantCulture);
            if (File.Exists(path))
            {
                return new Pkcs11PinFile(handle, path);
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or NotSupportedException)
        {
        }
        finally
        {
            CryptographicOperations.ZeroMemory(bytes);
        }

        handle.Dispose();
        return null;
    }

    /// <inheritdoc />
    public void Dispose() => _handle.Dispose();

    private static class NativeMethods
    {
        [DllImport("libc", EntryPoint = "memfd_create", SetLastError = true)]
        [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
        internal static extern int MemfdCreate(byte[] name, uint flags);
    }
}
