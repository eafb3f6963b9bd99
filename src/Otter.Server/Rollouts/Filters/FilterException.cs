namespace Otter.Server.Rollouts.Filters;

/// <summary>A filter that does not parse; the message says where and what was expected.</summary>
internal sealed class FilterException(string message) : Exception(message);
