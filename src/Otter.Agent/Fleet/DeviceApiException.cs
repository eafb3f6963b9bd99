using System.Net;

namespace Otter.Agent.Fleet;

/// <summary>The fleet server answered a device API call with an error (problem+json); the message carries its detail.</summary>
internal sealed class DeviceApiException : Exception
{
    public DeviceApiException(string message, HttpStatusCode status, TimeSpan? retryAfter)
        : base(message)
    {
        Status = status;
        RetryAfter = retryAfter;
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

    /// <summary>How long the server asked the device to wait (429 or 503 with <c>Retry-After</c>).</summary>
    public TimeSpan? RetryAfter { get; }
}
