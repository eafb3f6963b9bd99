using System.Net;

namespace Otter.Agent.Fleet;

/// <summary>The fleet server answered a device API call with an error (problem+json); the message carries its detail.</summary>
internal sealed class DeviceApiException : Exception
{
    public DeviceApiException(string message, HttpStatusCode status, TimeSpan? retryAfter, string? problemType = null)
        : base(message)
    {
        Status = status;
        RetryAfter = retryAfter;
        ProblemType = problemType;
    }

    public DeviceApiException(string message)
        : base(message)
    {
    }

    public DeviceApiException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public DeviceApiException()
    {
    }

    /// <summary>The HTTP status (0 when the answer was not an HTTP error but unreadable).</summary>
    public HttpStatusCode Status { get; }

    /// <summary>The problem document's <c>type</c> (e.g. <see cref="DeviceProblemTypes.Quarantined"/>), when it named one.</summary>
    public string? ProblemType { get; }

    /// <summary>The server quarantined this device: only the remediation endpoints answer.</summary>
    public bool IsQuarantined => Status == HttpStatusCode.Forbidden && ProblemType == DeviceProblemTypes.Quarantined;

    /// <summary>The server wiped this device: it must crypto-erase and enroll again as a new fleet identity.</summary>
    public bool IsWiped => Status == HttpStatusCode.Forbidden && ProblemType == DeviceProblemTypes.Wiped;

    /// <summary>How long the server asked the device to wait (429 or 503 with <c>Retry-After</c>).</summary>
    public TimeSpan? RetryAfter { get; }
}
