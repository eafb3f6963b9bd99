using System.Text.Json.Serialization;

namespace Otter.Agent.Platform;

/// <summary>What a slot holds.</summary>
public enum SlotState
{
    /// <summary>Nothing installed.</summary>
    [JsonStringEnumMemberName("empty")]
    Empty,

    /// <summary>An install is writing into it; its content is not trusted.</summary>
    [JsonStringEnumMemberName("writing")]
    Writing,

    /// <summary>Installed and verified, waiting for a trial boot.</summary>
    [JsonStringEnumMemberName("trial")]
    Trial,

    /// <summary>
    /// Installed and verified by a download-only update, not scheduled to boot: the boot loader
    /// never starts it; an update of the same target turns it into <see cref="Trial"/> without
    /// downloading again.
    /// </summary>
    [JsonStringEnumMemberName("staged")]
    Staged,

    /// <summary>Booted, passed its health checks and committed.</summary>
    [JsonStringEnumMemberName("good")]
    Good,

    /// <summary>Failed verification, boot or health checks; never booted again until reinstalled.</summary>
    [JsonStringEnumMemberName("bad")]
    Bad,
}
