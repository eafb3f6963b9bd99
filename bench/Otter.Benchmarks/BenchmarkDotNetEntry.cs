using System.Runtime.CompilerServices;

using BenchmarkDotNet.Running;

namespace Otter.Benchmarks;

/// <summary>
/// Runs the BenchmarkDotNet benchmarks. A method of its own so that the harness modes, which
/// measure their process's memory, never load BenchmarkDotNet.
/// </summary>
internal static class BenchmarkDotNetEntry
{
    [MethodImpl(MethodImplOptions.NoInlining)]
    public static int Run(string[] args)
    {
        BenchmarkSwitcher.FromAssembly(typeof(BenchmarkDotNetEntry).Assembly).Run(args);
        return 0;
    }
}
