using System.Text.Json.Serialization;

namespace Otter.Agent.Fleet;

/// <summary>An RFC 9457 problem+json error body, as far as the agent reads it.</summary>
internal sealed record ProblemDocument
{
    /// <summary>The problem type URI; <c>about:blank</c> or absent for plain HTTP errors.</summary>
    [JsonPropertyName("type")]
    public string? Type { get; init; }

    /// <summary>A short summary of the problem type.</summary>
    [JsonPropertyName("title")]
    public string? Title { get; init; }

    /// <summary>What went wrong this time.</summary>
    [JsonPropertyName("detail")]
    public string? Detail { get; init; }

    /// <summary>The HTTP status, repeated.</summary>
    [JsonPropertyName("status")]
    public int? Status { get; init; }
}
