using Otter.Testing;

namespace Otter.Trust.Tests.TestSupport;

/// <summary>
/// The xUnit collection of every test that uses <see cref="SoftHsmFixture"/>. Its tests run one
/// at a time and not alongside other collections, because they change process-wide state
/// (<c>OTTER_PKCS11_PIN</c>, token logins).
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class SoftHsmCollectionDefinition : ICollectionFixture<SoftHsmFixture>
{
    /// <summary>The collection name for <c>[Collection(...)]</c>.</summary>
    public const string Name = "SoftHSM";
}
