using System.Net.Http.Headers;
using System.Net.Http.Json;
using Otter.Protocol;
using Otter.Protocol.Management;
using Otter.Trust.Bundles;

namespace Otter.Server.Tests.Support;

/// <summary>Makes real bundles (stages + a manifest signed with a boot key) and publishes them.</summary>
internal static class TestReleases
{
    /// <summary>Writes a bundle with an OS stage of <paramref name="osBytes"/> random bytes; returns its path.</summary>
    public static string Bundle(string directory, string version, long counter = 1, string hardware = "gw-x2", int osBytes = 4096)
    {
        Directory.CreateDirectory(directory);
        var bootKey = Path.Combine(directory, "boot.key");
        if (!File.Exists(bootKey))
        {
            TestKeys.Create(directory, "boot");
        }

        var os = Path.Combine(directory, $"os-{version}.img");
        File.WriteAllBytes(os, System.Security.Cryptography.RandomNumberGenerator.GetBytes(osBytes));
        var path = Path.Combine(directory, $"release-{version}.bundle");
        using var signer = TestKeys.OpenSigner(bootKey);
        using (var stream = File.Create(path))
        {
            BundleWriter.Write(stream, version, counter, hardware, [new BundleStageInput("os", os)], signer);
        }

        return path;
    }

    public static async Task<HttpResponseMessage> PostAsync(HttpClient api, string name, string bundlePath)
    {
        await using var file = File.OpenRead(bundlePath);
        using var content = new StreamContent(file);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        return await api.PostAsync($"api/v1/releases?name={Uri.EscapeDataString(name)}", content);
    }

    public static async Task<PublishResult> PublishAsync(ServerFixture server, string name, string bundlePath)
    {
        using var api = server.Api();
        using var response = await PostAsync(api, name, bundlePath);
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
        return (await response.Content.ReadFromJsonAsync(ProtocolJsonContext.Default.PublishResult))!;
    }
}
