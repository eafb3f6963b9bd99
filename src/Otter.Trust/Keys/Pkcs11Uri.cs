using System.Globalization;
using System.Text;

namespace Otter.Trust.Keys;

/// <summary>
/// A <c>pkcs11:</c> URI (RFC 7512) checked against what OpenSSL's pkcs11 engine (libp11)
/// understands, so that a mistake is reported by Otter in one clear line instead of by the
/// engine as "failed loading private key". It keeps the PIN apart: <see cref="Display"/> never
/// contains it.
/// </summary>
/// <remarks>
/// Accepted attributes, as libp11 0.4 parses them: <c>token</c>, <c>manufacturer</c>,
/// <c>serial</c>, <c>model</c> (which token), <c>object</c>, <c>id</c> (which key; one of them is
/// required so that the engine never falls back to "the first key on the token"), <c>type</c>
/// (only <c>private</c>), and the query attributes <c>pin-value</c> and <c>pin-source</c>.
/// libp11 rejects the rest of RFC 7512 (<c>slot-id</c>, <c>library-*</c>, <c>module-path</c>,
/// <c>module-name</c>), and so does this parser, naming the attribute.
/// </remarks>
internal sealed class Pkcs11Uri
{
    private const string Scheme = "pkcs11:";

    private static readonly string[] TokenAttributes = ["token", "manufacturer", "serial", "model"];
    private static readonly string[] ObjectAttributes = ["object", "id", "type", "object-type"];

    /// <summary>RFC 7512 attributes libp11 does not accept; named in messages, values shown.</summary>
    private static readonly string[] UnsupportedAttributes =
        ["slot-id", "slot-description", "slot-manufacturer", "library-description", "library-manufacturer", "library-version", "module-path", "module-name"];

    private readonly List<KeyValuePair<string, string>> _pathAttributes;

    private Pkcs11Uri(List<KeyValuePair<string, string>> pathAttributes, string? pinValue, string? pinSource)
    {
        _pathAttributes = pathAttributes;
        PinValue = pinValue;
        PinSource = pinSource;
        Display = Build(pathAttributes, pinSource is null ? null : "pin-source=" + pinSource);
    }

    /// <summary>The URI without its PIN, for messages and <see cref="ISigner.Source"/>.</summary>
    public string Display { get; }

    /// <summary>The PIN given as <c>pin-value</c>, percent-decoded; null when absent.</summary>
    public string? PinValue { get; }

    /// <summary>The <c>pin-source</c> attribute as written (a file path); null when absent.</summary>
    public string? PinSource { get; }

    /// <summary>The token label (<c>token=</c>), decoded; null when absent.</summary>
    public string? Token => Decoded("token");

    /// <summary>The object label (<c>object=</c>), decoded; null when absent.</summary>
    public string? Object => Decoded("object");

    /// <summary>The object id (<c>id=</c>) as lower-case hex; null when absent.</summary>
    public string? IdHex
    {
        get
        {
            var raw = Raw("id");
            return raw is null ? null : Convert.ToHexStringLower(PercentDecodeBytes(raw));
        }
    }

    /// <summary>A short description of the key the URI names, for messages.</summary>
    public string Describe()
    {
        var parts = new List<string>();
        parts.Add(Token is { } token ? $"token \"{token}\"" : "any token");
        if (Object is { } label)
        {
            parts.Add($"object \"{label}\"");
        }

        if (IdHex is { } id)
        {
            parts.Add($"id {id}");
        }

        return string.Join(", ", parts);
    }

    /// <summary>Parses and checks <paramref name="uri"/>.</summary>
    /// <exception cref="KeyException">The URI is malformed or uses what the engine cannot honour.</exception>
    public static Pkcs11Uri Parse(string uri)
    {
        ArgumentNullException.ThrowIfNull(uri);
        if (!uri.StartsWith(Scheme, StringComparison.OrdinalIgnoreCase))
        {
            throw new KeyException($"{Redact(uri)} is not a pkcs11: URI (RFC 7512), e.g. pkcs11:token=fleet;object=targets;type=private.");
        }

        var body = uri[Scheme.Length..];
        var question = body.IndexOf('?', StringComparison.Ordinal);
        var path = question < 0 ? body : body[..question];
        var query = question < 0 ? string.Empty : body[(question + 1)..];

        var pathAttributes = new List<KeyValuePair<string, string>>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        string? pinValue = null;
        string? pinSource = null;
        foreach (var (segment, separator) in Segments(path, ';').Select(s => (s, ';')).Concat(Segments(query, '&').Select(s => (s, '&'))))
        {
            var equals = segment.IndexOf('=', StringComparison.Ordinal);
            if (equals <= 0)
            {
                throw Invalid(uri, $"it has a part without a name (attributes are name=value, separated by '{separator}')");
            }

            var name = segment[..equals].ToLowerInvariant();
            var value = segment[(equals + 1)..];
            if (!IsKnown(name))
            {
                // Not echoed: an unknown name may be a PIN typed in the wrong place.
                throw Invalid(uri, "it has an attribute the engine does not understand (shown as ***); it accepts token, manufacturer, serial, model, object, id, type, pin-value and pin-source");
            }

            if (!seen.Add(name))
            {
                throw Invalid(uri, $"the attribute {name}= appears twice");
            }

            if (!IsPercentEncodingValid(value))
            {
                throw Invalid(uri, $"the value of {name}= has a '%' not followed by two hex digits (percent-encode '%' as %25)");
            }

            switch (name)
            {
                case "pin-value":
                    pinValue = Uri.UnescapeDataString(value);
                    if (pinValue.Length == 0)
                    {
                        throw Invalid(uri, "pin-value= is empty; leave it out and set OTTER_PKCS11_PIN instead");
                    }

                    break;
                case "pin-source":
                    if (value.Length == 0)
                    {
                        throw Invalid(uri, "pin-source= is empty; it names a file holding the PIN");
                    }

                    if (value.StartsWith('|'))
                    {
                        throw Invalid(uri, "pin-source=| (a command) is not supported; give a file holding the PIN");
                    }

                    pinSource = value;
                    break;
                case "type" or "object-type":
                    CheckType(uri, name, value);
                    pathAttributes.Add(new(name, value));
                    break;
                case "module-path" or "module-name":
                    throw Invalid(uri, $"OpenSSL's pkcs11 engine (libp11) does not support {name}=; it uses the module named by PKCS11_MODULE_PATH or, by default, p11-kit-proxy, which loads every module registered with p11-kit (a .module file in /usr/share/p11-kit/modules, /etc/pkcs11/modules or ~/.config/pkcs11/modules). Register the module and select the token with token=");
                default:
                    if (Array.IndexOf(UnsupportedAttributes, name) >= 0)
                    {
                        throw Invalid(uri, $"OpenSSL's pkcs11 engine (libp11) does not understand {name}=; it accepts token, manufacturer, serial, model, object, id, type, pin-value and pin-source");
                    }

                    if (value.Length == 0)
                    {
                        throw Invalid(uri, $"{name}= is empty");
                    }

                    pathAttributes.Add(new(name, value));
                    break;
            }
        }

        if (pinValue is not null && pinSource is not null)
        {
            throw Invalid(uri, "give the PIN either as pin-value= or as pin-source=, not both");
        }

        if (!seen.Contains("object") && !seen.Contains("id"))
        {
            throw Invalid(uri, "it names no key; add object=<label> or id=<hex> so that the engine does not pick the token's first key (list them with `pkcs11-tool --list-objects`)");
        }

        return new Pkcs11Uri(pathAttributes, pinValue, pinSource);
    }

    /// <summary>
    /// The URI for the engine: the same key attributes, with the PIN given either as
    /// <c>pin-source=<paramref name="pinFile"/></c> or, when that is null, as
    /// <c>pin-value=<paramref name="pin"/></c> (percent-encoded). The caller's own
    /// <c>pin-value</c> or <c>pin-source</c> is never passed on.
    /// </summary>
    public string ToEngineUri(string? pinFile, string? pin)
    {
        string? query = null;
        if (pinFile is not null)
        {
            query = "pin-source=" + PercentEncode(pinFile, keepSlash: true);
        }
        else if (pin is not null)
        {
            query = "pin-value=" + PercentEncode(pin, keepSlash: false);
        }

        return Build(_pathAttributes, query);
    }

    /// <summary>
    /// The file <c>pin-source</c> names: its value percent-decoded, without a <c>file:</c>
    /// prefix; null when the URI has no <c>pin-source</c>.
    /// </summary>
    public string? PinSourcePath
    {
        get
        {
            if (PinSource is null)
            {
                return null;
            }

            var value = Uri.UnescapeDataString(PinSource);
            return value.StartsWith("file:", StringComparison.OrdinalIgnoreCase) ? value["file:".Length..] : value;
        }
    }

    /// <summary>
    /// <paramref name="text"/> (a pkcs11: URI, possibly malformed) with the value of
    /// <c>pin-value</c> replaced by <c>***</c>, and every part that is not a known RFC 7512
    /// attribute replaced whole: a PIN written under a wrong name (<c>pin=</c>) or without
    /// <c>=</c> is hidden too.
    /// </summary>
    public static string Redact(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var schemeLength = text.StartsWith(Scheme, StringComparison.OrdinalIgnoreCase) ? Scheme.Length : 0;
        var builder = new StringBuilder(text.Length);
        builder.Append(text, 0, schemeLength);
        var start = schemeLength;
        while (start <= text.Length)
        {
            var end = text.IndexOfAny([';', '&', '?'], start);
            var segment = end < 0 ? text[start..] : text[start..end];
            var equals = segment.IndexOf('=', StringComparison.Ordinal);
            if (segment.Length > 0)
            {
                var name = equals < 0 ? null : segment[..equals].ToLowerInvariant();
                if (name is not null && IsHarmless(name))
                {
                    builder.Append(segment);
                }
                else if (name == "pin-value")
                {
                    builder.Append(segment, 0, equals + 1).Append("***");
                }
                else
                {
                    builder.Append("***");
                }
            }

            if (end < 0)
            {
                break;
            }

            builder.Append(text[end]);
            start = end + 1;
        }

        return builder.ToString();
    }

    /// <summary>Percent-encodes everything but RFC 3986 unreserved characters (and '/' when asked).</summary>
    internal static string PercentEncode(string value, bool keepSlash)
    {
        var builder = new StringBuilder(value.Length);
        foreach (var b in Encoding.UTF8.GetBytes(value))
        {
            var c = (char)b;
            if (char.IsAsciiLetterOrDigit(c) || c is '-' or '.' or '_' or '~' || (keepSlash && c == '/'))
            {
                builder.Append(c);
            }
            else
            {
                builder.Append('%').Append(b.ToString("X2", CultureInfo.InvariantCulture));
            }
        }

        return builder.ToString();
    }

    private static string Build(List<KeyValuePair<string, string>> pathAttributes, string? query)
    {
        var builder = new StringBuilder(Scheme);
        builder.AppendJoin(';', pathAttributes.Select(a => a.Key + "=" + a.Value));
        if (query is not null)
        {
            builder.Append('?').Append(query);
        }

        return builder.ToString();
    }

    private static bool IsHarmless(string name) =>
        Array.IndexOf(TokenAttributes, name) >= 0 || Array.IndexOf(ObjectAttributes, name) >= 0
        || Array.IndexOf(UnsupportedAttributes, name) >= 0 || name == "pin-source";

    private static bool IsKnown(string name) => IsHarmless(name) || name == "pin-value";

    private static IEnumerable<string> Segments(string part, char separator) =>
        part.Split(separator).Where(s => s.Length > 0);

    private static void CheckType(string uri, string name, string value)
    {
        switch (value)
        {
            case "private":
                return;
            case "public" or "cert":
                throw Invalid(uri, $"{name}={value} names a {(value == "cert" ? "certificate" : "public key")}; signing needs the private key: use type=private (or leave type out)");
            default:
                throw Invalid(uri, $"{name}={Truncate(value)} is not a key type the engine knows; use type=private");
        }
    }

    private static bool IsPercentEncodingValid(string value)
    {
        for (var i = 0; i < value.Length; i++)
        {
            if (value[i] == '%')
            {
                if (i + 2 >= value.Length || !char.IsAsciiHexDigit(value[i + 1]) || !char.IsAsciiHexDigit(value[i + 2]))
                {
                    return false;
                }

                i += 2;
            }
        }

        return true;
    }

    private static byte[] PercentDecodeBytes(string value)
    {
        var bytes = new List<byte>(value.Length);
        for (var i = 0; i < value.Length; i++)
        {
            if (value[i] == '%')
            {
                bytes.Add(byte.Parse(value.AsSpan(i + 1, 2), NumberStyles.HexNumber, CultureInfo.InvariantCulture));
                i += 2;
            }
            else
            {
                bytes.AddRange(Encoding.UTF8.GetBytes(value[i].ToString()));
            }
        }

        return [.. bytes];
    }

    private static KeyException Invalid(string uri, string reason) =>
        new($"{Redact(uri)} is not a usable pkcs11: URI: {reason}.");

    private static string Truncate(string text) => text.Length <= 40 ? text : text[..40] + "...";

    private string? Raw(string name)
    {
        foreach (var attribute in _pathAttributes)
        {
            if (attribute.Key == name)
            {
                return attribute.Value;
            }
        }

        return null;
    }

    private string? Decoded(string name) => Raw(name) is { } raw ? Uri.UnescapeDataString(raw) : null;
}
