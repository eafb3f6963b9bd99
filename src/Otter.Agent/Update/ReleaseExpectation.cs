namespace Otter.Agent.Update;

/// <summary>What the signed TUF metadata and the log say the release is.</summary>
internal sealed record ReleaseExpectation(string Version, long SecurityCounter, string Hardware, string Kind);
