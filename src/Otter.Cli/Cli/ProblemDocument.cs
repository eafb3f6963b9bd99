namespace Otter.Cli.Cli;

/// <summary>The fields of an RFC 9457 problem+json answer that the CLI shows.</summary>
internal sealed record ProblemDocument
{
    public string? Title { get; init; }

    public string? Detail { get; init; }

    public int? Status { get; init; }
}
