using System.Text.Json;

namespace Otter.Agent.Tests.TestSupport;

/// <summary>Checks on the JSON <c>otter-agent status --json</c> prints.</summary>
internal static class StatusAssert
{
    public static void Slot(JsonElement status, string slot, string state, string? version, long securityCounter)
    {
        var info = status.GetProperty("slots").GetProperty(slot);
        Assert.Equal(state, info.GetProperty("state").GetString());
        Assert.Equal(version, info.GetProperty("version").GetString());
        Assert.Equal(securityCounter, info.GetProperty("securityCounter").GetInt64());
    }

    public static void LastResult(JsonElement status, string outcome, string? slot, string? version)
    {
        var last = status.GetProperty("lastResult");
        Assert.Equal(outcome, last.GetProperty("outcome").GetString());
        Assert.Equal(slot, last.GetProperty("slot").GetString());
        Assert.Equal(version, last.GetProperty("version").GetString());
    }

    public static string? Text(JsonElement status, string property) => status.GetProperty(property).GetString();
}
