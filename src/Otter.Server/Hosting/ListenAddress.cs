using System.Net;
using Otter.Server.Setup;

namespace Otter.Server.Hosting;

/// <summary>An https URL turned into the address and port Kestrel listens on.</summary>
internal static class ListenAddress
{
    public static IPEndPoint Parse(string url, string flag)
    {
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme != Uri.UriSchemeHttps || uri.AbsolutePath != "/")
        {
            throw new ServerSetupException($"{flag} {url} must be an https:// URL with a host and port and no path, e.g. https://127.0.0.1:8443.");
        }

        IPAddress address;
        if (uri.Host is "localhost")
        {
            address = IPAddress.Loopback;
        }
        else if (uri.Host is "*" or "0.0.0.0" or "+")
        {
            address = IPAddress.Any;
        }
        else if (!IPAddress.TryParse(uri.Host.Trim('[', ']'), out address!))
        {
            throw new ServerSetupException($"{flag} {url}: listen on an IP address (127.0.0.1, 0.0.0.0, [::]) or localhost, not the name {uri.Host}.");
        }

        return new IPEndPoint(address, uri.Port);
    }
}
