namespace Otter.Cli.Cli;

/// <summary>One entry appended by <c>otter log append</c>.</summary>
internal sealed record AppendedEntry(string File, long Index, string LeafHash);
