using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;

using Otter.Trust.Keys;
using Otter.Trust.Tuf;

namespace Otter.Benchmarks;

/// <summary>
/// TEMPORARY, benchmarks only. Otter.Trust's TUF records declare their
/// <c>[JsonExtensionData] UnrecognizedFields</c> as <c>{ get; init; }</c>; the System.Text.Json
/// source generator then treats that property as a constructor parameter and every
/// <c>TufJsonContext</c> type info throws "The extension data property 'UnrecognizedFields' ...
/// cannot bind with a parameter in the deserialization constructor" (dotnet/runtime#107898).
/// Until src is fixed (make those properties <c>{ get; set; }</c>), this swaps
/// <c>TufJsonContext.Default</c>'s options for a copy that uses reflection-based metadata, so the
/// benchmarks can run. It probes first and does nothing once source generation works, and it
/// says in the log when it is active, so scripts/bench can flag the numbers.
/// </summary>
internal static class TufJsonWorkaround
{
    /// <summary>The marker scripts/bench looks for in the BenchmarkDotNet log.</summary>
    public const string ActiveMarker = "OTTER-BENCH: TufJsonWorkaround active";

    private static bool s_applied;

    /// <summary>Applies the workaround in this process if source-generated TUF metadata is broken.</summary>
    public static void ApplyIfNeeded()
    {
        if (s_applied || SourceGenerationWorks())
        {
            return;
        }

        var options = new JsonSerializerOptions(TufJsonContext.Default.Options)
        {
            TypeInfoResolver = new DefaultJsonTypeInfoResolver(),
        };
        ContextOptions(TufJsonContext.Default) = options;
        s_applied = true;
        Console.WriteLine($"// {ActiveMarker}: TufJsonContext source-generated metadata throws (dotnet/runtime#107898); using reflection-based metadata");
    }

    private static bool SourceGenerationWorks()
    {
        try
        {
            var probe = new TufJsonContext(new JsonSerializerOptions());
            Type[] types = [typeof(TufKey), typeof(RootMetadata), typeof(TargetsMetadata), typeof(SnapshotMetadata), typeof(TimestampMetadata), typeof(List<TufSignature>)];
            foreach (var type in types)
            {
                _ = probe.Options.GetTypeInfo(type);
            }

            return true;
        }
        catch (InvalidOperationException)
        {
            return false;
        }
    }

    [UnsafeAccessor(UnsafeAccessorKind.Field, Name = "_options")]
    private static extern ref JsonSerializerOptions? ContextOptions(JsonSerializerContext context);
}
