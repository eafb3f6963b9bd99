namespace Otter.Cli.Cli;

/// <summary>What <c>otter keys show</c> and <c>otter keys generate</c> print.</summary>
internal sealed record KeyInfo(string KeyId, string Source, bool Hardware, string KeyType, string Scheme, string PublicKeyPem);
