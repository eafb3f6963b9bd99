namespace Otter.Trust.Tuf.Client;

/// <summary>A target found in trusted metadata.</summary>
/// <param name="Path">The target's path in the repository, e.g. <c>fw/image.bin</c>.</param>
/// <param name="File">Its length, hashes and custom data, which a download must match.</param>
/// <param name="Role">The targets role that listed it (<c>targets</c> or a delegated role).</param>
public sealed record TargetInfo(string Path, TargetFile File, string Role);
