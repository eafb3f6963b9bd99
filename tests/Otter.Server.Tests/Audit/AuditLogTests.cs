using System.Net.Http.Json;
using Microsoft.Data.Sqlite;
using Otter.Protocol;
using Otter.Protocol.Management;
using Otter.Server.Audit;
using Otter.Server.Tests.Releases;

namespace Otter.Server.Tests.Audit;

/// <summary>The hash-chained audit log: every mutating call leaves a row; any edited or deleted row is found.</summary>
public sealed class AuditLogTests
{
    [Fact]
    public async Task Verify_UntouchedChain_ValidWithEveryMutation()
    {
        await using var server = await ServerFixture.StartAsync();
        await ReleasePublishingTests.ApiKeyAsync(server, "ops", Roles.Operator);

        var entries = (await server.Api().GetFromJsonAsync("api/v1/audit", ProtocolJsonContext.Default.ListAuditEntry))!;
        var verdict = (await server.Api().GetFromJsonAsync("api/v1/audit/verify", ProtocolJsonContext.Default.AuditVerification))!;

        Assert.Equal(["server.init", "api-key.create"], entries.Select(e => e.Action));
        Assert.Equal("key:bootstrap-admin", entries[1].Actor);
        Assert.True(verdict.Valid, verdict.Problem);
        Assert.Equal(2, verdict.Entries);
        Assert.True(AuditLog.VerifyExport(entries).Valid);
    }

    [Fact]
    public async Task Verify_EditedRow_InvalidAtThatRow()
    {
        await using var server = await ServerFixture.StartAsync();
        await MutateAsync(server, 3);

        await ExecuteAsync(server, "UPDATE audit SET \"Detail\" = 'nothing to see' WHERE \"Sequence\" = 2");

        var verdict = (await server.Api().GetFromJsonAsync("api/v1/audit/verify", ProtocolJsonContext.Default.AuditVerification))!;
        Assert.False(verdict.Valid);
        Assert.Equal(2, verdict.FirstBadSequence);
        Assert.Contains("edited", verdict.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Verify_DeletedMiddleRow_Invalid()
    {
        await using var server = await ServerFixture.StartAsync();
        await MutateAsync(server, 3);

        await ExecuteAsync(server, "DELETE FROM audit WHERE \"Sequence\" = 2");

        var verdict = (await server.Api().GetFromJsonAsync("api/v1/audit/verify", ProtocolJsonContext.Default.AuditVerification))!;
        Assert.False(verdict.Valid);
        Assert.Equal(2, verdict.FirstBadSequence);
        Assert.Contains("deleted", verdict.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Verify_DeletedNewestRows_Invalid()
    {
        await using var server = await ServerFixture.StartAsync();
        await MutateAsync(server, 3);

        await ExecuteAsync(server, "DELETE FROM audit WHERE \"Sequence\" >= 3");

        var verdict = (await server.Api().GetFromJsonAsync("api/v1/audit/verify", ProtocolJsonContext.Default.AuditVerification))!;
        Assert.False(verdict.Valid);
        Assert.Contains("deleted from the end", verdict.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public async Task VerifyExport_RowChangedInTheExport_Invalid()
    {
        await using var server = await ServerFixture.StartAsync();
        await MutateAsync(server, 2);
        var entries = (await server.Api().GetFromJsonAsync("api/v1/audit", ProtocolJsonContext.Default.ListAuditEntry))!;

        entries[1] = entries[1] with { Actor = "key:someone-else" };

        var verdict = AuditLog.VerifyExport(entries);
        Assert.False(verdict.Valid);
        Assert.Equal(2, verdict.FirstBadSequence);
    }

    private static async Task MutateAsync(ServerFixture server, int count)
    {
        for (var i = 0; i < count; i++)
        {
            await ReleasePublishingTests.ApiKeyAsync(server, $"key-{i}", Roles.Auditor);
        }
    }

    private static async Task ExecuteAsync(ServerFixture server, string sql)
    {
        await using var connection = new SqliteConnection($"Data Source={Path.Combine(server.DataDirectory, "otter.db")};Pooling=False");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        Assert.True(await command.ExecuteNonQueryAsync() > 0);
    }
}
