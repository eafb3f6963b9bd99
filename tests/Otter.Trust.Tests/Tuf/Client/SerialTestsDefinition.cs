namespace Otter.Trust.Tests.Tuf.Client;

/// <summary>Tests that measure process-wide allocations and so must not run beside others.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class SerialTestsDefinition
{
    public const string Name = "Serial (allocation measurements)";
}
