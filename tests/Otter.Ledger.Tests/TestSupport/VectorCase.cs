using Xunit.Abstractions;

namespace Otter.Ledger.Tests.TestSupport;

/// <summary>
/// One vector file, by its path relative to the vectors' directory. A type of its own (rather
/// than a string, which xUnit cuts to 50 characters in test names) so that every case is
/// named by its full relative path.
/// </summary>
public sealed class VectorCase : IXunitSerializable
{
    /// <summary>For xUnit's deserialisation.</summary>
    public VectorCase()
    {
        RelativePath = string.Empty;
    }

    /// <summary>The vector <paramref name="relativePath"/> (forward slashes).</summary>
    public VectorCase(string relativePath)
    {
        RelativePath = relativePath;
    }

    /// <summary>The path relative to the vectors' directory, e.g. <c>inclusion/1/happy-path.json</c>.</summary>
    public string RelativePath { get; private set; }

    /// <inheritdoc />
    public void Deserialize(IXunitSerializationInfo info)
    {
        ArgumentNullException.ThrowIfNull(info);
        RelativePath = info.GetValue<string>(nameof(RelativePath));
    }

    /// <inheritdoc />
    public void Serialize(IXunitSerializationInfo info)
    {
        ArgumentNullException.ThrowIfNull(info);
        info.AddValue(nameof(RelativePath), RelativePath);
    }

    /// <inheritdoc />
    public override string ToString() => RelativePath;
}
