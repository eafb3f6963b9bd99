namespace Otter.Server.Tests.Support;

/// <summary>Tests that observe process-wide state (meters) run alone, not beside other test classes.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class SerialTests
{
    public const string Name = "serial";
}
