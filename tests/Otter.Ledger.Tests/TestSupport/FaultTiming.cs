namespace Otter.Ledger.Tests.TestSupport;

/// <summary>When an injected fault strikes relative to the storage call it interrupts.</summary>
public enum FaultTiming
{
    /// <summary>The call throws without writing anything (a crash just before the write).</summary>
    BeforeWrite,

    /// <summary>The call writes durably, then throws (a crash after the write, before the caller learnt of it).</summary>
    AfterWrite,
}
