namespace Otter.Protocol.Management;

/// <summary><c>POST /api/v1/devices/{id}/tags</c>: tags and attributes to add or remove.</summary>
public sealed record TagRequest
{
    /// <summary>Tags to add.</summary>
    public IReadOnlyList<string> Add { get; set; } = [];

    /// <summary>Tags to remove.</summary>
    public IReadOnlyList<string> Remove { get; set; } = [];

    /// <summary>Attributes to set (a null value removes one).</summary>
    public IReadOnlyDictionary<string, string?> Attributes { get; set; } = new Dictionary<string, string?>();
}
