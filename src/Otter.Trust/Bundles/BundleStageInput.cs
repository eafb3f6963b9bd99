namespace Otter.Trust.Bundles;

/// <summary>A stage to put in a new bundle: its name and the file holding it.</summary>
public sealed record BundleStageInput(string Name, string Path);
