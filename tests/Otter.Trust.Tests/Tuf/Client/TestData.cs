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

    public static async Task<byte[]> DownloadAsync(TufUpdater updater, TargetInfo target)
    {
        using var destination = new MemoryStream();
        await updater.DownloadTargetAsync(target, destination, CancellationToken.None);
        return destination.ToArray();
    }
}
