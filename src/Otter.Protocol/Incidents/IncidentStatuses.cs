namespace Otter.Protocol.Incidents;

/// <summary>Values of <see cref="IncidentView.Status"/>.</summary>
public static class IncidentStatuses
{
    /// <summary>Being handled.</summary>
    public const string Open = "open";

    /// <summary>Closed with a post-mortem.</summary>
    public const string Closed = "closed";
}
