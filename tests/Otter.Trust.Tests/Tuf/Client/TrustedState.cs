using Otter.Trust.Tuf;
using Otter.Trust.Tuf.Client;

namespace Otter.Trust.Tests.Tuf.Client;

/// <summary>
/// What a client trusts at one moment: the store's bytes for every role and the updater's
/// in-memory trusted set. Used to assert that a rejected update changed nothing.
/// </summary>
internal sealed class TrustedState
{
    private TrustedState(IReadOnlyDictionary<string, byte[]> store, TrustedMetadataSet? set)
    {
        Store = store;
        Set = set;
    }

    public IReadOnlyDictionary<string, byte[]> Store { get; }

    public TrustedMetadataSet? Set { get; }

    public static TrustedState Capture(InMemoryTrustedMetadataStore store, TufUpdater updater) =>
        new(store.CopyContents(), updater.TrustedSet);

    /// <summary>
    /// Asserts that nothing trusted changed, except the roles in <paramref name="acceptedEarlier"/>:
    /// steps of the same refresh that came before the rejected one and passed.
    /// </summary>
    public void AssertUnchanged(InMemoryTrustedMetadataStore store, TufUpdater updater, params string[] acceptedEarlier)
    {
        var accepted = new HashSet<string>(acceptedEarlier, StringComparer.Ordinal);
        var now = store.CopyContents();
        foreach (var role in Store.Keys.Union(now.Keys).Where(r => !accepted.Contains(r)))
        {
            Assert.True(Store.ContainsKey(role), $"the store gained \"{role}\"");
            Assert.True(now.ContainsKey(role), $"the store lost \"{role}\"");
            Assert.True(Store[role].AsSpan().SequenceEqual(now[role]), $"the store's \"{role}\" bytes changed");
        }

        var set = updater.TrustedSet;
        if (accepted.Count == 0)
        {
            Assert.Same(Set, set);
            return;
        }

        Assert.NotNull(Set);
        Assert.NotNull(set);
        if (!accepted.Contains(TufRoles.Root))
        {
            Assert.Same(Set.Root, set.Root);
        }

        if (!accepted.Contains(TufRoles.Timestamp))
        {
            Assert.Same(Set.Timestamp, set.Timestamp);
        }

        if (!accepted.Contains(TufRoles.Snapshot))
        {
            Assert.Same(Set.Snapshot, set.Snapshot);
        }

        Assert.Same(Set.Targets, set.Targets);
    }
}
