using System.Text.Json;
using Otter.Protocol.Rollouts;

namespace Otter.Protocol.Tests.Rollouts;

/// <summary>Fields a client leaves out keep their documented defaults (source-generated JSON must not zero them).</summary>
public sealed class RolloutRequestTests
{
    [Fact]
    public void Deserialize_OnlyRelease_DefaultsKept()
    {
        var request = JsonSerializer.Deserialize("{\"release\": \"fw.bundle\"}", ProtocolJsonContext.Default.RolloutRequest)!;

        Assert.Equal(95, request.SuccessPercent);
        Assert.Equal(5, request.ErrorPercent);
        Assert.Equal("10m", request.Soak);
        Assert.Equal("1h", request.InstallTimeout);
        Assert.True(request.AutoPromote);
        Assert.Equal(["100"], request.Waves);
        Assert.Empty(request.Devices);
        Assert.Empty(request.Windows);
    }

    [Fact]
    public void Deserialize_CheckInWithoutSlots_EmptySlots()
    {
        var request = JsonSerializer.Deserialize("{}", ProtocolJsonContext.Default.CheckInRequest)!;

        Assert.Empty(request.Slots);
    }

    [Fact]
    public void Deserialize_TagRequestWithOnlyAdd_OtherListsEmpty()
    {
        var request = JsonSerializer.Deserialize("{\"add\": [\"eu\"]}", ProtocolJsonContext.Default.TagRequest)!;

        Assert.Equal(["eu"], request.Add);
        Assert.Empty(request.Remove);
        Assert.Empty(request.Attributes);
    }
}
