using System.Security.Cryptography;
using System.Text;
using Otter.Protocol.Device;

namespace Otter.Protocol.Tests.Device;

/// <summary>Signed device tokens: what is signed, parsing, and fixed-time verification.</summary>
public sealed class DeviceTokenTests
{
    private static readonly byte[] Secret = RandomNumberGenerator.GetBytes(32);
    private static readonly byte[] Body = Encoding.UTF8.GetBytes("{\"health\":\"healthy\"}");

    [Fact]
    public void Create_ThenParseAndVerify_Accepted()
    {
        var header = DeviceToken.Create("gw-1", Secret, "POST", "/device/v1/checkin", Body, DateTimeOffset.UtcNow);

        var token = DeviceToken.TryParse(header)!;

        Assert.Equal("gw-1", token.DeviceId);
        Assert.True(token.Verify(Secret, "POST", "/device/v1/checkin", SHA256.HashData(Body)));
    }

    [Theory]
    [InlineData("GET", "/device/v1/checkin", false)]
    [InlineData("POST", "/device/v1/reports", false)]
    [InlineData("POST", "/device/v1/checkin", true)]
    public void Verify_OtherMethodPathOrBody_Refused(string method, string path, bool alterBody)
    {
        var token = DeviceToken.TryParse(DeviceToken.Create("gw-1", Secret, "POST", "/device/v1/checkin", Body, DateTimeOffset.UtcNow))!;
        var body = alterBody ? Encoding.UTF8.GetBytes("{\"health\":\"unhealthy\"}") : Body;

        Assert.False(token.Verify(Secret, method, path, SHA256.HashData(body)));
    }

    [Fact]
    public void Verify_WrongSecret_Refused()
    {
        var token = DeviceToken.TryParse(DeviceToken.Create("gw-1", Secret, "POST", "/p", Body, DateTimeOffset.UtcNow))!;

        Assert.False(token.Verify(RandomNumberGenerator.GetBytes(32), "POST", "/p", SHA256.HashData(Body)));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("Bearer abc")]
    [InlineData("Otter-Device id=\"a\"")]
    [InlineData("Otter-Device id=\"a\", ts=\"x\", nonce=\"00112233445566778899aabbccddeeff\", sig=\"AAAA\"")]
    [InlineData("Otter-Device id=\"a\", ts=\"1\", nonce=\"short\", sig=\"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\"")]
    [InlineData("Otter-Device id=\"a\", id=\"b\", ts=\"1\", nonce=\"00112233445566778899aabbccddeeff\", sig=\"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\"")]
    public void TryParse_Malformed_Null(string? header)
    {
        Assert.Null(DeviceToken.TryParse(header));
    }
}
