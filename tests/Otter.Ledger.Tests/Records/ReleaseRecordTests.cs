using System.Text;
using System.Text.Json;
using Otter.Ledger.Log;
using Otter.Ledger.Merkle;
using Otter.Ledger.Records;
using Otter.Ledger.Storage;
using Otter.Ledger.Tests.TestSupport;

namespace Otter.Ledger.Tests.Records;

public sealed class ReleaseRecordTests
{
    private static readonly ReleaseRecord Record = new()
    {
        Name = "firmware/gateway.bin",
        Version = "1.4.2",
        Sha256 = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
        Length = 1048576,
        SecurityCounter = 7,
        Hardware = "gw-rev-c",
        Kind = "firmware",
    };

    [Fact]
    public void ToEntry_Record_IsCanonicalJsonWithSortedKeysAndNoWhitespace()
    {
        const string expected =
            "{\"hardware\":\"gw-rev-c\",\"kind\":\"firmware\",\"length\":1048576,\"name\":\"firmware/gateway.bin\","
            + "\"security_counter\":7,\"sha256\":\"9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08\","
            + "\"type\":\"otter.release/v1\",\"version\":\"1.4.2\"}";

        Assert.Equal(expected, Encoding.UTF8.GetString(Record.ToEntry()));
    }

    [Fact]
    public void ToEntry_SameRecordTwice_SameBytes()
    {
        Assert.Equal(Record.ToEntry(), (Record with { }).ToEntry());
        Assert.NotEqual(Record.ToEntry(), (Record with { SecurityCounter = 8 }).ToEntry());
    }

    [Fact]
    public void Parse_ToEntry_RoundTrips()
    {
        var parsed = ReleaseRecord.Parse(Record.ToEntry());

        Assert.Equal(Record, parsed);
        Assert.Equal(ReleaseRecord.RecordType, parsed.Type);
    }

    [Fact]
    public void Parse_ToEntryWithEscapesAndUnicode_RoundTrips()
    {
        var record = Record with { Name = "dir/\"quoted\" \\ back\u00e9\u2603", Version = "2.0.0-rc.1+build" };

        var entry = record.ToEntry();

        Assert.Equal(record, ReleaseRecord.Parse(entry));
        using var json = JsonDocument.Parse(entry);
        Assert.Equal(record.Name, json.RootElement.GetProperty("name").GetString());
    }

    [Theory]
    [InlineData("not json")]
    [InlineData("[]")]
    [InlineData("{}")]
    [InlineData("{\"type\":\"otter.other/v1\",\"name\":\"n\",\"version\":\"v\",\"sha256\":\"s\",\"length\":1,\"security_counter\":1,\"hardware\":\"h\",\"kind\":\"k\"}")]
    [InlineData("{\"type\":\"otter.release/v1\",\"version\":\"v\",\"sha256\":\"s\",\"length\":1,\"security_counter\":1,\"hardware\":\"h\",\"kind\":\"k\"}")]
    [InlineData("{\"type\":\"otter.release/v1\",\"name\":\"n\",\"version\":\"v\",\"sha256\":\"s\",\"length\":\"1\",\"security_counter\":1,\"hardware\":\"h\",\"kind\":\"k\"}")]
    [InlineData("{\"type\":\"otter.release/v1\",\"name\":null,\"version\":\"v\",\"sha256\":\"s\",\"length\":1,\"security_counter\":1,\"hardware\":\"h\",\"kind\":\"k\"}")]
    [InlineData("{\"type\":\"otter.release/v1\",\"name\":\"n\",\"name\":\"m\",\"version\":\"v\",\"sha256\":\"s\",\"length\":1,\"security_counter\":1,\"hardware\":\"h\",\"kind\":\"k\"}")]
    public void Parse_NotAReleaseRecord_ThrowsLedgerException(string entry)
    {
        Assert.Throws<LedgerException>(() => ReleaseRecord.Parse(Encoding.UTF8.GetBytes(entry)));
    }

    [Fact]
    public async Task ToEntry_AppendedToLog_FoundByLeafHashAndReadBack()
    {
        using var temp = new TempDirectory();
        using var signer = LogBuilder.NewSigner();
        using var log = await TransparencyLog.CreateAsync(new DirectoryLogStorage(temp.Path), LogBuilder.Origin, signer);
        await log.AppendAsync([[1], [2], Record.ToEntry(), [3]]);

        var index = log.FindIndex(MerkleHasher.HashLeaf(Record.ToEntry()));

        Assert.Equal(2, index);
        Assert.Equal(Record, ReleaseRecord.Parse(await log.ReadEntryAsync(2)));
    }
}
