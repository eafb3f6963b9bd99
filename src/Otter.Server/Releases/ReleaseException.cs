namespace Otter.Server.Releases;

/// <summary>An upload or publish refused; <see cref="Status"/> is the HTTP status to answer with.</summary>
internal sealed class ReleaseException(int status, string message, Exception? inner = null) : Exception(message, inner)
{
    public int Status { get; } = status;
}
