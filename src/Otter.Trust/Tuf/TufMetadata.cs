using System.Buffers;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Otter.Trust.Json;
using Otter.Trust.Keys;

namespace Otter.Trust.Tuf;

/// <summary>Parses, validates and signs TUF metadata files.</summary>
public static class TufMetadata
{
    private static readonly JsonWriterOptions FileWriterOptions = new() { Indented = true };

    /// <summary>
    /// Parses a metadata file. Checks the structure and types, <c>_type</c>, the version and
    /// the thresholds; signatures are checked by the caller against the keys it trusts.
    /// </summary>
    /// <param name="json">The file's bytes.</param>
    /// <param name="fileName">The file name, used in error messages.</param>
    /// <exception cref="MalformedMetadataException">The file is not valid metadata of type <typeparamref name="T"/>.</exception>
    public static Metadata<T> Parse<T>(ReadOnlyMemory<byte> json, string fileName)
        where T : SignedMetadata
    {
        var expectedType = TypeName<T>();
        try
        {
            using var document = JsonDocument.Parse(json, CanonicalJson.StrictParseOptions);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                throw Malformed(fileName, "is not a JSON object with \"signed\" and \"signatures\"");
            }

            if (!root.TryGetProperty("signed", out var signedElement) || signedElement.ValueKind != JsonValueKind.Object)
            {
                throw Malformed(fileName, "has no \"signed\" object");
            }

            if (!root.TryGetProperty("signatures", out var signaturesElement) || signaturesElement.ValueKind != JsonValueKind.Array)
            {
                throw Malformed(fileName, "has no \"signatures\" array");
            }

            if (!signedElement.TryGetProperty("_type", out var typeElement) || typeElement.ValueKind != JsonValueKind.String)
            {
                throw Malformed(fileName, "has no signed._type");
            }

            var actualType = typeElement.GetString();
            if (actualType != expectedType)
            {
                throw Malformed(fileName, $"is {actualType} metadata where {expectedType} metadata was expected");
            }

            var canonical = CanonicalJson.Serialize(signedElement);
            var signed = signedElement.Deserialize(TypeInfo<T>())
                ?? throw Malformed(fileName, "has an empty \"signed\" object");
            var signatures = signaturesElement.Deserialize(TufJsonContext.Default.ListTufSignature)
                ?? throw Malformed(fileName, "has an empty \"signatures\" array");
            Validate(signed, fileName);
            return new Metadata<T>(signed, signatures, canonical);
        }
        catch (JsonException ex)
        {
            var where = ex.Path is null ? string.Empty : $" at {ex.Path}";
            var line = ex.LineNumber is { } l ? $" (line {l + 1})" : string.Empty;
            throw Malformed(fileName, $"is not valid {expectedType} metadata{where}{line}: {FirstSentence(ex.Message)}", ex);
        }
        catch (CanonicalJsonException ex)
        {
            throw Malformed(fileName, $"cannot be put in canonical form: {ex.Message}", ex);
        }
    }

    /// <summary>
    /// Serialises <paramref name="signed"/>, signs its canonical form with every signer, and
    /// returns the metadata file's bytes (indented JSON) with the parsed form.
    /// </summary>
    public static (byte[] FileBytes, Metadata<T> Metadata) Sign<T>(T signed, IEnumerable<ISigner> signers)
        where T : SignedMetadata
    {
        ArgumentNullException.ThrowIfNull(signed);
        ArgumentNullException.ThrowIfNull(signers);
        var element = JsonSerializer.SerializeToElement(signed, TypeInfo<T>());
        var canonical = CanonicalJson.Serialize(element);
        var signatures = new List<TufSignature>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var signer in signers)
        {
            if (seen.Add(signer.KeyId))
            {
                signatures.Add(new TufSignature { KeyId = signer.KeyId, Signature = Convert.ToHexStringLower(signer.Sign(canonical)) });
            }
        }

        var buffer = new ArrayBufferWriter<byte>(canonical.Length + 1024);
        using (var writer = new Utf8JsonWriter(buffer, FileWriterOptions))
        {
            writer.WriteStartObject();
            writer.WritePropertyName("signatures");
            JsonSerializer.Serialize(writer, signatures, TufJsonContext.Default.ListTufSignature);
            writer.WritePropertyName("signed");
            element.WriteTo(writer);
            writer.WriteEndObject();
        }

        buffer.Write("\n"u8);
        return (buffer.WrittenSpan.ToArray(), new Metadata<T>(signed, signatures, canonical));
    }

    /// <summary>The canonical bytes of <paramref name="signed"/>, as a signer would sign them.</summary>
    public static byte[] CanonicalBytes<T>(T signed)
        where T : SignedMetadata =>
        CanonicalJson.Serialize(JsonSerializer.SerializeToElement(signed, TypeInfo<T>()));

    internal static string TypeName<T>()
        where T : SignedMetadata
    {
        if (typeof(T) == typeof(RootMetadata))
        {
            return TufRoles.Root;
        }

        if (typeof(T) == typeof(TargetsMetadata))
        {
            return TufRoles.Targets;
        }

        if (typeof(T) == typeof(SnapshotMetadata))
        {
            return TufRoles.Snapshot;
        }

        if (typeof(T) == typeof(TimestampMetadata))
        {
            return TufRoles.Timestamp;
        }

        throw new NotSupportedException($"{typeof(T).Name} is not a TUF metadata type.");
    }

    internal static JsonTypeInfo<T> TypeInfo<T>()
        where T : SignedMetadata
    {
        var info = TufJsonContext.Default.GetTypeInfo(typeof(T))
            ?? throw new NotSupportedException($"{typeof(T).Name} is not a TUF metadata type.");
        return (JsonTypeInfo<T>)info;
    }

    private static void Validate(SignedMetadata signed, string fileName)
    {
        if (signed.Version < 1)
        {
            throw Malformed(fileName, $"has version {signed.Version}; versions start at 1");
        }

        if (!signed.SpecVersion.StartsWith("1.", StringComparison.Ordinal))
        {
            throw Malformed(fileName, $"follows TUF specification {signed.SpecVersion}; Otter reads 1.x");
        }

        switch (signed)
        {
            case RootMetadata root:
                foreach (var role in TufRoles.TopLevel)
                {
                    if (!root.Roles.TryGetValue(role, out var keys))
                    {
                        throw Malformed(fileName, $"has no \"{role}\" role");
                    }

                    ValidateThreshold(fileName, role, keys.KeyIds, keys.Threshold, root.Keys);
                }

                break;
            case TargetsMetadata targets:
                foreach (var (path, target) in targets.Targets)
                {
                    ValidateTarget(fileName, path, target);
                }

                if (targets.Delegations is { } delegations)
                {
                    var names = new HashSet<string>(StringComparer.Ordinal);
                    foreach (var role in delegations.Roles)
                    {
                        if (!names.Add(role.Name) || TufRoles.IsTopLevel(role.Name) || role.Name.Length == 0)
                        {
                            throw Malformed(fileName, $"delegates to the role name \"{role.Name}\" more than once or to a reserved name");
                        }

                        if (role.Paths is not null == role.PathHashPrefixes is not null)
                        {
                            throw Malformed(fileName, $"delegated role \"{role.Name}\" must have exactly one of \"paths\" and \"path_hash_prefixes\"");
                        }

                        ValidateThreshold(fileName, role.Name, role.KeyIds, role.Threshold, delegations.Keys);
                    }
                }

                break;
            case SnapshotMetadata snapshot:
                foreach (var (name, meta) in snapshot.Meta)
                {
                    ValidateMeta(fileName, name, meta);
                }

                break;
            case TimestampMetadata timestamp:
                if (timestamp.Meta.Count != 1 || timestamp.SnapshotMeta is not { } snapshotMeta)
                {
                    throw Malformed(fileName, "must list exactly one file, snapshot.json, in \"meta\"");
                }

                ValidateMeta(fileName, "snapshot.json", snapshotMeta);
                break;
        }
    }

    private static void ValidateThreshold(string fileName, string role, IReadOnlyList<string> keyIds, int threshold, IReadOnlyDictionary<string, TufKey> keys)
    {
        if (threshold < 1)
        {
            throw Malformed(fileName, $"gives role \"{role}\" threshold {threshold}; thresholds must be at least 1");
        }

        foreach (var keyId in keyIds)
        {
            if (!keys.ContainsKey(keyId))
            {
                throw Malformed(fileName, $"role \"{role}\" names key {keyId}, which is not among its keys");
            }
        }

        if (keyIds.Distinct(StringComparer.Ordinal).Count() != keyIds.Count)
        {
            throw Malformed(fileName, $"role \"{role}\" lists a key id twice");
        }
    }

    private static void ValidateTarget(string fileName, string path, TargetFile target)
    {
        if (target.Length < 0)
        {
            throw Malformed(fileName, $"target \"{path}\" has negative length {target.Length}");
        }

        if (target.Hashes.Count == 0)
        {
            throw Malformed(fileName, $"target \"{path}\" has no hashes");
        }
    }

    private static void ValidateMeta(string fileName, string name, MetaFile meta)
    {
        if (meta.Version < 1)
        {
            throw Malformed(fileName, $"lists {name} at version {meta.Version}; versions start at 1");
        }

        if (meta.Length is < 0)
        {
            throw Malformed(fileName, $"lists {name} with negative length {meta.Length}");
        }

        if (meta.Hashes is { Count: 0 })
        {
            throw Malformed(fileName, $"lists {name} with an empty \"hashes\" object");
        }
    }

    private static string FirstSentence(string message)
    {
        var cut = message.IndexOf(". Path:", StringComparison.Ordinal);
        return cut > 0 ? message[..cut] : message;
    }

    private static MalformedMetadataException Malformed(string fileName, string what, Exception? inner = null) =>
        new($"{fileName} {what}.", inner);
}
