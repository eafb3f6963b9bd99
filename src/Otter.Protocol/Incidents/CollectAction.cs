namespace Otter.Protocol.Incidents;

/// <summary>Part of a check-in answer: collect a forensic bundle and upload it for this request.</summary>
public sealed record CollectAction
{
    /// <summary>The request id to upload to (<c>POST /device/v1/forensics/{request_id}</c>).</summary>
    public long RequestId { get; init; }
}
