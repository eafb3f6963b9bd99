using System.Runtime.InteropServices;

namespace Otter.Testing;

/// <summary>
/// Sets environment variables that native libraries read with <c>getenv</c>. On Unix,
/// <see cref="Environment.SetEnvironmentVariable(string, string)"/> changes only .NET's own copy
/// of the environment, which SoftHSM (reading <c>SOFTHSM2_CONF</c>) never sees.
/// </summary>
public static class NativeEnvironment
{
    /// <summary>Sets <paramref name="name"/> for both native code and .NET (and so child processes).</summary>
    public static void Set(string name, string value)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(value);
        Environment.SetEnvironmentVariable(name, value);
        if (!OperatingSystem.IsWindows() && NativeMethods.SetEnv(name, value, 1) != 0)
        {
            throw new InvalidOperationException($"setenv({name}) failed with errno {Marshal.GetLastPInvokeError()}");
        }
    }

    private static class NativeMethods
    {
        [DllImport("libc", EntryPoint = "setenv", SetLastError = true)]
        [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
        internal static extern int SetEnv(
            [MarshalAs(UnmanagedType.LPUTF8Str)] string name,
            [MarshalAs(UnmanagedType.LPUTF8Str)] string value,
            int overwrite);
    }
}
