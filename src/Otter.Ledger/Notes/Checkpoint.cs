using System.Globalization;
using System.Text;
using Otter.Ledger.Merkle;

namespace Otter.Ledger.Notes;

/// <summary>A C2SP tlog-checkpoint body: origin, tree size, root hash, optional extension lines.</summary>
public sealed record Checkpoint(string Origin, long Size, byte[] RootHash, IReadOnlyList<string> Extensions)
{
    /// <summary>The note text of the checkpoint.</summary>
    public string ToText()
    {
        var builder = new StringBuilder();
        builder.Append(Origin).Append('\n');
        builder.Append(Size.ToString(CultureInfo.InvariantCulture)).Append('\n');
        builder.Append(Convert.ToBase64String(RootHash)).Append('\n');
        foreach (var extension in Extensions)
        {
            builder.Append(extension).Append('\n');
        }

        return builder.ToString();
    }

    /// <summary>Parses checkpoint note text.</summary>
    /// <exception cref="LedgerException">The text is not a checkpoint.</exception>
    public static Checkpoint Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var lines = text.Split('\n');
        if (lines.Length < 4 || lines[^1].Length != 0)
        {
            throw new LedgerException("the checkpoint needs an origin line, a size line and a root hash line, each ending in a newline.");
        }

        var origin = lines[0];
        if (origin.Length == 0)
        {
            throw new LedgerException("the checkpoint's origin line is empty.");
        }

        var sizeText = lines[1];
        if (sizeText.Length == 0 || sizeText.Length > 19 || !sizeText.All(char.IsAsciiDigit) || (sizeText.Length > 1 && sizeText[0] == '0')
            || !long.TryParse(sizeText, NumberStyles.None, CultureInfo.InvariantCulture, out var size))
        {
            throw new LedgerException($"the checkpoint's size line \"{sizeText}\" is not a decimal number without leading zeros.");
        }

        byte[] root;
        try
        {
            root = Convert.FromBase64String(lines[2]);
        }
        catch (FormatException ex)
        {
            throw new LedgerException("the checkpoint's root hash line is not base64.", ex);
        }

        if (root.Length != MerkleHasher.HashSize)
        {
            throw new LedgerException($"the checkpoint's root hash is {root.Length} bytes; SHA-256 hashes are 32.");
        }

        var extensions = lines[3..^1];
        if (extensions.Any(e => e.Length == 0))
        {
            throw new LedgerException("the checkpoint has an empty extension line.");
        }

        return new Checkpoint(origin, size, root, extensions);
    }
}
