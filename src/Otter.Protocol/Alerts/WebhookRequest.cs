namespace Otter.Protocol.Alerts;

/// <summary><c>POST /api/v1/alerts/webhooks</c>.</summary>
public sealed record WebhookRequest
{
    /// <summary>Where alerts are posted (http or https).</summary>
    public required string Url { get; init; }

    /// <summary>The HMAC secret (at least 16 characters); stored by the server, never shown again.</summary>
    public required string Secret { get; init; }
}
