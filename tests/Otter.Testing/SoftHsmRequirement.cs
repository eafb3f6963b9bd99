namespace Otter.Testing;

/// <summary>
/// What the PKCS#11 tests need: SoftHSM2 (<c>softhsm2-util</c> and its module), OpenSC's
/// <c>pkcs11-tool</c>, OpenSSL's pkcs11 engine, and SoftHSM registered with p11-kit (the
/// engine's default module is p11-kit-proxy). Debian: <c>apt-get install softhsm2
/// libengine-pkcs11-openssl opensc</c> (what <c>scripts/test</c> installs).
/// </summary>
public static class SoftHsmRequirement
{
    private const string Install = "apt-get install softhsm2 libengine-pkcs11-openssl opensc";

    private static readonly Lazy<string?> Missing = new(FindMissing);

    /// <summary>Null when everything is there, else what is missing.</summary>
    public static string? MissingReason => Missing.Value;

    /// <summary>The SoftHSM2 PKCS#11 module, for <c>pkcs11-tool --module</c>.</summary>
    public static string? ModulePath => TestRequirements.FirstExistingFile(
        new[] { "/usr/lib/softhsm/libsofthsm2.so", "/usr/lib64/softhsm/libsofthsm2.so", "/usr/lib64/pkcs11/libsofthsm2.so", "/usr/local/lib/softhsm/libsofthsm2.so" }
            .Concat(TestRequirements.UnderMultiarchLib("softhsm/libsofthsm2.so")));

    /// <summary>OpenSSL's pkcs11 engine (libp11).</summary>
    public static string? EnginePath
    {
        get
        {
            var directories = new List<string>();
            if (Environment.GetEnvironmentVariable("OPENSSL_ENGINES") is { Length: > 0 } configured)
            {
                directories.Add(configured);
            }

            directories.AddRange(TestRequirements.UnderMultiarchLib("engines-3"));
            directories.AddRange(["/usr/lib64/engines-3", "/usr/lib/engines-3", "/usr/local/lib64/engines-3", "/usr/local/lib/engines-3"]);
            return TestRequirements.FirstExistingFile(directories.Select(d => Path.Combine(d, "pkcs11.so")));
        }
    }

    private static string? FindMissing()
    {
        if (!OperatingSystem.IsLinux())
        {
            return "PKCS#11 keys are supported on Linux only";
        }

        if (TestRequirements.MissingExecutables("softhsm2-util", "pkcs11-tool") is { } tools)
        {
            return $"SoftHSM tests need softhsm2-util and pkcs11-tool, {tools} ({Install})";
        }

        if (ModulePath is null)
        {
            return $"the SoftHSM2 module libsofthsm2.so was not found ({Install})";
        }

        if (EnginePath is null)
        {
            return $"OpenSSL's pkcs11 engine (engines-3/pkcs11.so) was not found ({Install})";
        }

        if (Environment.GetEnvironmentVariable("PKCS11_MODULE_PATH") is null && !IsRegisteredWithP11Kit())
        {
            return "SoftHSM2 is not registered with p11-kit (no softhsm .module file in /usr/share/p11-kit/modules, /etc/pkcs11/modules or ~/.config/pkcs11/modules)";
        }

        return null;
    }

    private static bool IsRegisteredWithP11Kit()
    {
        var home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        string[] directories = ["/usr/share/p11-kit/modules", "/etc/pkcs11/modules", Path.Combine(home, ".config/pkcs11/modules")];
        foreach (var directory in directories.Where(Directory.Exists))
        {
            try
            {
                foreach (var file in Directory.EnumerateFiles(directory, "*.module"))
                {
                    if (File.ReadAllText(file).Contains("softhsm", StringComparison.OrdinalIgnoreCase))
                    {
                        return true;
                    }
                }
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
            }
        }

        return false;
    }
}
