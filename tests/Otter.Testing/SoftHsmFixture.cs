using System.Security.Cryptography;

namespace Otter.Testing;

/// <summary>
/// A private SoftHSM2 installation for the test process: a temporary directory with its own
/// <c>softhsm2.conf</c> and token directory, <c>SOFTHSM2_CONF</c> pointing at it (for native
/// code too), and tokens with P-256 keys generated inside them by pkcs11-tool, reached by the
/// code under test through OpenSSL's pkcs11 engine and p11-kit exactly as in production.
/// </summary>
/// <remarks>
/// <para>
/// SoftHSM reads <c>SOFTHSM2_CONF</c> once, when the module is first loaded into the process,
/// and the module then stays loaded; and PKCS#11 logins are per process. Hence: one instance
/// per test process (use it only through <see cref="SoftHsmCollectionDefinition"/>), every
/// token created in the constructor before any test touches the engine, and a separate token
/// for each test that needs a token nobody has logged in to (<see cref="WrongPinToken"/>,
/// <see cref="EnvironmentPinToken"/>, <see cref="PinSourceToken"/>): once one test has logged
/// in to a token, any PIN (or none) opens its keys for the rest of the process.
/// </para>
/// <para>
/// When SoftHSM or the engine is missing the constructor does nothing and every member throws
/// the reason; tests guarded by <see cref="RequiresSoftHsmFactAttribute"/> are skipped locally
/// and fail under CI.
/// </para>
/// </remarks>
public sealed class SoftHsmFixture : IDisposable
{
    private static int s_instances;

    private readonly string? _unavailable;
    private readonly string? _directory;
    private readonly Dictionary<string, string> _environment = new(StringComparer.Ordinal);
    private readonly SoftHsmToken? _main;
    private readonly SoftHsmToken? _wrongPin;
    private readonly SoftHsmToken? _environmentPin;
    private readonly SoftHsmToken? _pinSource;

    /// <summary>Creates the SoftHSM installation and its tokens.</summary>
    public SoftHsmFixture()
    {
        _unavailable = SoftHsmRequirement.MissingReason;
        if (_unavailable is not null)
        {
            return;
        }

        if (Interlocked.Increment(ref s_instances) > 1)
        {
            _unavailable = "SoftHsmFixture was created twice in one process; SoftHSM reads its configuration only once, so share one instance through [Collection(SoftHsmCollectionDefinition.Name)].";
            return;
        }

        ModulePath = SoftHsmRequirement.ModulePath!;
        _directory = Directory.CreateTempSubdirectory("otter-softhsm-").FullName;
        try
        {
            var tokens = Path.Combine(_directory, "tokens");
            Directory.CreateDirectory(tokens);
            ConfigPath = Path.Combine(_directory, "softhsm2.conf");
            File.WriteAllText(ConfigPath, $"directories.tokendir = {tokens}\nobjectstore.backend = file\nlog.level = ERROR\nslots.removable = false\n");
            _environment["SOFTHSM2_CONF"] = ConfigPath;

            // Before anything in this process loads the module through the engine.
            NativeEnvironment.Set("SOFTHSM2_CONF", ConfigPath);

            var run = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4));

            // PINs with URI delimiters and a literal "%41", so that percent-encoding and the
            // way the PIN reaches the engine are exercised, not just plain digits.
            // No label may be a prefix of another: pkcs11-tool's --token-label matches prefixes.
            _main = CreateToken(
                $"otter-test-{run}-main",
                $"m;{Random()}?&%41",
                [("targets", "01", SoftHsmKeyType.EcP256), ("snapshot", "02", SoftHsmKeyType.EcP256), ("p384", "11", SoftHsmKeyType.EcP384), ("rsa", "12", SoftHsmKeyType.Rsa2048)]);
            _wrongPin = CreateToken($"otter-test-{run}-badpin", Random(), [("targets", "01", SoftHsmKeyType.EcP256)]);
            _environmentPin = CreateToken($"otter-test-{run}-envpin", $"e {Random()}%41", [("targets", "01", SoftHsmKeyType.EcP256)]);
            _pinSource = CreateToken($"otter-test-{run}-pinfile", $"f;{Random()}", [("targets", "01", SoftHsmKeyType.EcP256)]);
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    /// <summary>The SoftHSM2 module (for pkcs11-tool).</summary>
    public string ModulePath { get => Available(field); private set; } = string.Empty;

    /// <summary>The softhsm2.conf this process uses.</summary>
    public string ConfigPath { get => Available(field); private set; } = string.Empty;

    /// <summary>
    /// The shared token: P-256 keys <c>targets</c> (id 01) and <c>snapshot</c> (id 02), a P-384
    /// key <c>p384</c> and an RSA key <c>rsa</c>. Tests log in to it freely.
    /// </summary>
    public SoftHsmToken Token => Available(_main);

    /// <summary>A token with P-256 key <c>targets</c> that no test logs in to successfully (for wrong-PIN tests).</summary>
    public SoftHsmToken WrongPinToken => Available(_wrongPin);

    /// <summary>A token with P-256 key <c>targets</c> for the one test that opens it with the PIN from the environment.</summary>
    public SoftHsmToken EnvironmentPinToken => Available(_environmentPin);

    /// <summary>A token with P-256 key <c>targets</c> for the one test that opens it with a <c>pin-source</c> file.</summary>
    public SoftHsmToken PinSourceToken => Available(_pinSource);

    /// <summary>pkcs11-tool's listing of the objects of <paramref name="token"/> (after login), with their access flags.</summary>
    public string ListObjects(SoftHsmToken token)
    {
        ArgumentNullException.ThrowIfNull(token);
        return Pkcs11Tool(token, "--login", "--pin", token.UserPin, "--list-objects").StandardOutput;
    }

    /// <inheritdoc />
    public void Dispose()
    {
        if (_directory is null)
        {
            return;
        }

        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // Best effort; the directory is under the system temporary directory.
        }
    }

    private static string Random() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4));

    private T Available<T>(T? value)
        where T : class =>
        _unavailable is null && value is not null ? value : throw new InvalidOperationException(_unavailable ?? "SoftHsmFixture is not initialised");

    private SoftHsmToken CreateToken(string label, string pin, (string Label, string IdHex, SoftHsmKeyType Type)[] keys)
    {
        var soPin = Random() + Random();
        ProcessRunner.Run("softhsm2-util", ["--init-token", "--free", "--label", label, "--so-pin", soPin, "--pin", pin], _environment);
        var token = new SoftHsmToken(label, pin, new Dictionary<string, SoftHsmKey>(StringComparer.Ordinal));
        var created = new Dictionary<string, SoftHsmKey>(StringComparer.Ordinal);
        foreach (var (keyLabel, idHex, type) in keys)
        {
            var keyType = type switch
            {
                SoftHsmKeyType.EcP256 => "EC:prime256v1",
                SoftHsmKeyType.EcP384 => "EC:secp384r1",
                _ => "rsa:2048",
            };

            // Sensitive and not extractable (no --extractable): the private key can be used
            // for signing but never read out of the token, as on a real HSM.
            Pkcs11Tool(token, "--login", "--pin", pin, "--keypairgen", "--key-type", keyType, "--label", keyLabel, "--id", idHex, "--usage-sign", "--sensitive");
            created[keyLabel] = new SoftHsmKey(label, keyLabel, idHex, type)
            {
                PublicKeyPem = type == SoftHsmKeyType.EcP256 ? ReadPublicKeyPem(token, keyLabel) : null,
            };
        }

        return token with { Keys = created };
    }

    private string ReadPublicKeyPem(SoftHsmToken token, string keyLabel)
    {
        var file = Path.Combine(_directory!, $"{token.Label}-{keyLabel}.der");
        Pkcs11Tool(token, "--read-object", "--type", "pubkey", "--label", keyLabel, "--output-file", file);
        var der = File.ReadAllBytes(file);
        return new string(PemEncoding.Write("PUBLIC KEY", der)) + "\n";
    }

    private ProcessResult Pkcs11Tool(SoftHsmToken token, params string[] arguments) =>
        ProcessRunner.Run("pkcs11-tool", ["--module", ModulePath, "--token-label", token.Label, .. arguments], _environment);
}
