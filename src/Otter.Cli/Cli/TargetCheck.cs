namespace Otter.Cli.Cli;

/// <summary>One target checked by <c>otter repo verify</c>.</summary>
internal sealed record TargetCheck(string Name, string Role, long Length, string Sha256, bool Ok, string? Error);
