using System.Text;
using Otter.Ledger;
using Otter.Ledger.Merkle;
using Otter.Ledger.Notes;
using Otter.Ledger.Records;
using Otter.Protocol.Management;
using Otter.Trust.Bundles;

namespace Otter.Cli.Cli;

/// <summary>
/// Checks a publish answer on the client: the server recorded the bytes that were sent and the
/// bundle's own manifest, and the release record rebuilt from them (as the server logs it) is in
/// the log under the checkpoint's root. With the log's key the checkpoint's signature is checked
/// too; without it the proof still binds the record to the root the server committed to in its answer.
/// </summary>
internal static class PublishVerification
{
    // What ReleasePublisher logs for every uploaded bundle.
    private const string BundleKind = "bundle";

    /// <summary>Returns whether the checkpoint signature was verified (only with <paramref name="logKey"/>).</summary>
    /// <exception cref="LedgerException">Anything does not match or verify; the message says the release is published but unproven.</exception>
    public static bool Verify(PublishResult result, string name, BootManifest manifest, string sentSha256, long sentLength, LogKey? logKey)
    {
        ArgumentNullException.ThrowIfNull(result);
        ArgumentNullException.ThrowIfNull(manifest);
        try
        {
            var release = result.Release;
            if (release.Name != name)
            {
                throw new LedgerException($"the server answered for the release \"{release.Name}\", not \"{name}\".");
            }

            if (!string.Equals(release.Sha256, sentSha256, StringComparison.OrdinalIgnoreCase) || release.Length != sentLength)
            {
                throw new LedgerException($"the server recorded {release.Length} bytes with sha256 {release.Sha256}, but otter sent {sentLength} bytes with sha256 {sentSha256}.");
            }

            if (release.Version != manifest.Version || release.Hardware != manifest.Hardware || release.SecurityCounter != manifest.SecurityCounter)
            {
                throw new LedgerException($"the server recorded version {release.Version} for {release.Hardware} (counter {release.SecurityCounter}), but the bundle's manifest says {manifest.Version} for {manifest.Hardware} (counter {manifest.SecurityCounter}).");
            }

            var note = Encoding.UTF8.GetBytes(result.Checkpoint);
            var checkpoint = logKey is null
                ? Checkpoint.Parse(SignedNote.Parse(note).Text)
                : SignedCheckpoint.Verify(note, result.LogOrigin, [logKey.For(result.LogOrigin)]).Checkpoint;
            if (checkpoint.Origin != result.LogOrigin || checkpoint.Size != result.LogSize)
            {
                throw new LedgerException($"the checkpoint is for {checkpoint.Origin} at size {checkpoint.Size}, but the answer says {result.LogOrigin} at size {result.LogSize}.");
            }

            var proof = new List<byte[]>(result.InclusionProof.Count);
            foreach (var hash in result.InclusionProof)
            {
                try
                {
                    proof.Add(Convert.FromBase64String(hash));
                }
                catch (FormatException ex)
                {
                    throw new LedgerException("a hash of the inclusion proof is not base64.", ex);
                }
            }

            var record = new ReleaseRecord
            {
                Name = name,
                Version = manifest.Version,
                Sha256 = sentSha256,
                Length = sentLength,
                SecurityCounter = manifest.SecurityCounter,
                Hardware = manifest.Hardware,
                Kind = BundleKind,
            };
            MerkleVerifier.VerifyInclusion(release.LogIndex, checkpoint.Size, MerkleHasher.HashLeaf(record.ToEntry()), proof, checkpoint.RootHash);
            return logKey is not null;
        }
        catch (LedgerException ex)
        {
            // The server has published it either way: say so, so nobody assigns a release whose log entry is unproven.
            throw new LedgerException($"{name} was published, but its transparency log proof does not verify: {ex.Message.TrimEnd('.')}. Do not assign it; report this to the server's operators.", ex);
        }
    }
}
