using System.Text.Json.Nodes;

namespace Otter.Trust.Tuf.Repository;

/// <summary>
/// A target about to be published: copied and hashed, not yet signed. A repository change can
/// be given a hook that sees it and returns the custom data to sign (to log it first, for example).
/// </summary>
public sealed record TargetDraft(string Name, long Length, string Sha256, JsonObject? Custom);
