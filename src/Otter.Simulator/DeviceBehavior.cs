namespace Otter.Simulator;

/// <summary>How a simulated device (its hardware, network and power) misbehaves. Firmware behaviour is in <see cref="FirmwareBehavior"/>.</summary>
public enum DeviceBehavior
{
    /// <summary>Nothing goes wrong.</summary>
    Healthy,

    /// <summary>The device's own health probe fails after any update (a hardware fault).</summary>
    FailsHealthProbe,

    /// <summary>Connections are reset in the middle of downloads; the agent must resume.</summary>
    FlakyNetwork,

    /// <summary>A slow link: every chunk of a download is delayed.</summary>
    SlowLink,

    /// <summary>Power is cut at a random write during updates; the device must always boot a verified image.</summary>
    PowerCut,

    /// <summary>The device's clock is hours off.</summary>
    ClockSkew,

    /// <summary>A man in the middle flips a bit of every firmware download; nothing altered may be installed.</summary>
    ManInTheMiddle,

    /// <summary>A man in the middle flips a bit of every TUF metadata and log response; nothing may be installed on altered metadata.</summary>
    ManInTheMiddleMetadata,
}
