using System.Security.Cryptography;

namespace Otter.Testing;

/// <summary>A SoftHSM token the fixture initialised.</summary>
public sealed record SoftHsmToken(string Label, string UserPin, IReadOnlyDictionary<string, SoftHsmKey> Keys)
{
    /// <summary>The key labelled <paramref name="label"/>.</summary>
    public SoftHsmKey this[string label] => Keys[label];
}
