using Otter.Ledger.Storage;
using Otter.Trust.Tuf.Client;

namespace Otter.Agent.Transport;

/// <summary>Turns a URL or a directory into a repository fetcher or a log reader.</summary>
public static class UpdateSources
{
    /// <summary>Whether <paramref name="location"/> is an http(s) URL.</summary>
    public static bool IsUrl(string location) =>
        location.StartsWith("http://", StringComparison.OrdinalIgnoreCase) || location.StartsWith("https://", StringComparison.OrdinalIgnoreCase);

    /// <summary>A fetcher for a repository URL or directory.</summary>
    public static IRepositoryFetcher Repository(string location, HttpClient client)
    {
        ArgumentNullException.ThrowIfNull(location);
        if (IsUrl(location))
        {
            return new HttpRepositoryFetcher(client, new Uri(location));
        }

        return Directory.Exists(location)
            ? new DirectoryRepositoryFetcher(location)
            : throw new AgentException($"--repo {location} is neither an http(s) URL nor an existing directory.");
    }

    /// <summary>A reader for a log URL or directory.</summary>
    public static ILogReader Log(string location, HttpClient client)
    {
        ArgumentNullException.ThrowIfNull(location);
        if (IsUrl(location))
        {
            return new HttpLogReader(client, new Uri(location));
        }

        return Directory.Exists(location)
            ? new DirectoryLogStorage(location)
            : throw new AgentException($"--log {location} is neither an http(s) URL nor an existing directory.");
    }
}
