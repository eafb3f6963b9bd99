using System.Net;
using System.Text.Json;

namespace Otter.Server.Tests.Support;

/// <summary>Assertions on problem+json answers.</summary>
internal static class Http
{
    /// <summary>Asserts the status and that the body is problem+json whose detail contains <paramref name="fragment"/>; returns the detail.</summary>
    public static async Task<string> AssertProblemAsync(HttpResponseMessage response, HttpStatusCode status, string fragment)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(status == response.StatusCode, $"expected {(int)status}, got {(int)response.StatusCode}: {body}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        using var document = JsonDocument.Parse(body);
        var detail = document.RootElement.GetProperty("detail").GetString()!;
        Assert.Contains(fragment, detail, StringComparison.OrdinalIgnoreCase);
        return detail;
    }

    /// <summary>As <see cref="AssertProblemAsync"/>, and the server logged the refusal with its detail.</summary>
    public static async Task AssertRefusedAsync(ServerFixture server, HttpResponseMessage response, HttpStatusCode status, string fragment)
    {
        if (response.StatusCode == HttpStatusCode.InternalServerError)
        {
            Assert.Fail("500: " + string.Join("\n", server.Logs.Lines.Where(l => l.StartsWith("Error", StringComparison.Ordinal) || l.StartsWith("Critical", StringComparison.Ordinal))));
        }

        var detail = await AssertProblemAsync(response, status, fragment);
        Assert.Contains(server.Logs.Lines, line => line.StartsWith("Warning", StringComparison.Ordinal) && line.Contains($"with {(int)status}", StringComparison.Ordinal) && line.Contains(detail, StringComparison.Ordinal));
    }
}
