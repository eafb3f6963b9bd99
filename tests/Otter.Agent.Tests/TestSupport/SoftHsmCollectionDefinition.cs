namespace Otter.Agent.Tests.TestSupport;

/// <summary>
/// The xUnit collection of every agent test that uses <see cref="SoftHsmFixture"/>: one SoftHSM
/// per process, its tests one at a time and not alongside other collections (token logins are
/// process-wide).
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class SoftHsmCollectionDefinition : ICollectionFixture<SoftHsmFixture>
{
    /// <summary>The collection name for <c>[Collection(...)]</c>.</summary>
    public const string Name = "SoftHSM";
}
