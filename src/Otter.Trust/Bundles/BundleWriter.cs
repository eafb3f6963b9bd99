using System.Buffers.Binary;
using System.Security.Cryptography;
using Otter.Trust.Keys;

namespace Otter.Trust.Bundles;

/// <summary>Builds bundle files from stage files, streaming: stages are never held in memory.</summary>
public static class BundleWriter
{
    /// <summary>
    /// Writes a bundle to <paramref name="output"/>: hashes every stage file, signs the manifest
    /// with the boot key, then copies the stages, checking each is unchanged since it was hashed.
    /// </summary>
    /// <exception cref="BundleException">A stage is missing, misnamed, or changed while being written.</exception>
    public static SignedBootManifest Write(Stream output, string version, long securityCounter, string hardware, IReadOnlyList<BundleStageInput> stages, ISigner bootKey)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(stages);
        var manifestStages = new List<BootStage>();
        foreach (var stage in stages)
        {
            if (!SignedBootManifest.IsValidStageName(stage.Name))
            {
                throw new BundleException($"stage name \"{stage.Name}\" is not a plain name (letters, digits, '.', '-', '_'; no '/' or '..').");
            }

            if (!File.Exists(stage.Path))
            {
                throw new BundleException($"stage \"{stage.Name}\": {stage.Path} does not exist.");
            }

            using var file = File.OpenRead(stage.Path);
            var hash = SHA256.HashData(file);
            manifestStages.Add(new BootStage { Name = stage.Name, Sha256 = Convert.ToHexStringLower(hash), Length = file.Length });
        }

        var manifest = new BootManifest { Version = version, SecurityCounter = securityCounter, Hardware = hardware, Stages = manifestStages };
        var document = SignedBootManifest.Create(manifest, bootKey);
        Span<byte> header = stackalloc byte[BundleFormat.HeaderLength];
        BundleFormat.Magic.CopyTo(header);
        BinaryPrimitives.WriteUInt32BigEndian(header[8..], (uint)document.Length);
        output.Write(header);
        output.Write(document);
        var buffer = new byte[1 << 20];
        for (var i = 0; i < stages.Count; i++)
        {
            using var file = File.OpenRead(stages[i].Path);
            using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            long copied = 0;
            int read;
            while ((read = file.Read(buffer)) > 0)
            {
                hash.AppendData(buffer, 0, read);
                output.Write(buffer, 0, read);
                copied += read;
            }

            if (copied != manifestStages[i].Length || Convert.ToHexStringLower(hash.GetHashAndReset()) != manifestStages[i].Sha256)
            {
                throw new BundleException($"stage \"{stages[i].Name}\" ({stages[i].Path}) changed while the bundle was being written; build it again.");
            }
        }

        return SignedBootManifest.Parse(document);
    }
}
