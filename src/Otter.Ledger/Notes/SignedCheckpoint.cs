using System.Text;

namespace Otter.Ledger.Notes;

/// <summary>A checkpoint with the signed note it came in.</summary>
public sealed record SignedCheckpoint(Checkpoint Checkpoint, string NoteText)
{
    /// <summary>
    /// Parses and verifies a signed checkpoint: a trusted key must have signed it and its origin
    /// must be <paramref name="origin"/>.
    /// </summary>
    /// <exception cref="LedgerException">Malformed, unsigned by a trusted key, or for another log.</exception>
    public static SignedCheckpoint Verify(ReadOnlySpan<byte> note, string origin, IReadOnlyList<NoteKey> trusted)
    {
        var parsed = SignedNote.Parse(note);
        parsed.Verify(trusted);
        var checkpoint = Checkpoint.Parse(parsed.Text);
        if (checkpoint.Origin != origin)
        {
            throw new LedgerException($"the checkpoint is for the log \"{checkpoint.Origin}\", not \"{origin}\".");
        }

        return new SignedCheckpoint(checkpoint, Encoding.UTF8.GetString(note));
    }
}
