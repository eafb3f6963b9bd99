using System.Text;
using Otter.Protocol.Alerts;

namespace Otter.Protocol.Tests.Alerts;

/// <summary>Webhook signatures: receivers can check origin, integrity and age.</summary>
public sealed class AlertSignatureTests
{
    private static readonly byte[] Secret = Encoding.UTF8.GetBytes("0123456789abcdef0123456789abcdef");
    private static readonly byte[] Body = Encoding.UTF8.GetBytes("{\"kind\":\"rollout.halted\"}");

    [Fact]
    public void Verify_FreshSignature_Accepted()
    {
        var now = DateTimeOffset.UtcNow;

        Assert.True(AlertSignature.Verify(AlertSignature.Create(Secret, Body, now), Body, Secret, now, TimeSpan.FromMinutes(5)));
    }

    [Fact]
    public void Verify_AlteredBodyOrOtherSecret_Refused()
    {
        var now = DateTimeOffset.UtcNow;
        var header = AlertSignature.Create(Secret, Body, now);

        Assert.False(AlertSignature.Verify(header, Encoding.UTF8.GetBytes("{\"kind\":\"rollout.completed\"}"), Secret, now, TimeSpan.FromMinutes(5)));
        Assert.False(AlertSignature.Verify(header, Body, Encoding.UTF8.GetBytes("another secret, 32 bytes long...."), now, TimeSpan.FromMinutes(5)));
    }

    [Fact]
    public void Verify_OldSignature_RefusedAsReplay()
    {
        var then = DateTimeOffset.UtcNow.AddMinutes(-10);

        Assert.False(AlertSignature.Verify(AlertSignature.Create(Secret, Body, then), Body, Secret, DateTimeOffset.UtcNow, TimeSpan.FromMinutes(5)));
    }
}
