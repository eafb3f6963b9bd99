using System.Text;
using Otter.Trust.Tuf;
using Otter.Trust.Tuf.Client;

namespace Otter.Trust.Tests.Tuf.Client;

/// <summary>Shared helpers for the client tests.</summary>
internal static class TestData
{
    public static byte[] Bytes(string text) => Encoding.UTF8.GetBytes(text);

    /// <summary>The roles whose update comes before <paramref name="role"/>'s in a refresh and so may have been accepted.</summary>
    public static string[] AcceptedBefore(string role) => role switch
    {
        TufRoles.Snapshot => [TufRoles.Timestamp],
        TufRoles.Targets => [TufRoles.Timestamp, TufRoles.Snapshot],
        _ => [],
    };

    /// <summary>The four top-level roles, for theories.</summary>
    public static TheoryData<string> TopLevelRoles => [TufRoles.Root, TufRoles.Timestamp, TufRoles.Snapshot, TufRoles.Targets];

    /// <summary>The three online roles, for theories.</summary>
    public static TheoryData<string> OnlineRoles => [TufRoles.Timestamp, TufRoles.Snapshot, TufRoles.Targets];

    /// <summary>A store and an updater that has refreshed successfully against <paramref name="sim"/>.</summary>
    public static async Task<(InMemoryTrustedMetadataStore Store, TufUpdater Updater)> RefreshedAsync(RepositorySimulator sim, TufClientOptions? options = null)
    {
        var store = sim.CreateStore();
        var updater = sim.CreateUpdater(store, options);
        await updater.RefreshAsync(CancellationToken.None);
        return (store, updater);
    }

    public static async Task<byte[]?> StoredAsync(InMemoryTrustedMetadataStore store, string role) =>
        await store.ReadAsync(role, CancellationToken.None);

    public static async Task<byte[]> DownloadAsync(TufUpdater updater, TargetInfo target)
    {
        using var destination = new MemoryStream();
        await updater.DownloadTargetAsync(target, destination, CancellationToken.None);
        return destination.ToArray();
    }
}
