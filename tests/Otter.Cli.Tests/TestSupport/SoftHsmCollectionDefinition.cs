namespace Otter.Cli.Tests.TestSupport;

/// <summary>
/// The tests that use SoftHSM2 through the otter command: one fixture per process, run one at a
/// time (token logins and SOFTHSM2_CONF are process-wide).
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class SoftHsmCollectionDefinition : ICollectionFixture<SoftHsmFixture>
{
    /// <summary>The collection name for <c>[Collection(...)]</c>.</summary>
    public const string Name = "SoftHSM";
}
