using System.Security.Cryptography;
using Otter.Trust.Bundles;

namespace Otter.Trust.Tests.Bundles;

public sealed class BundleParserStreamTests
{
    private static readonly byte[] Fsbl = BundleBuilder.RandomBytes(1000, 1);
    private static readonly byte[] Os = BundleBuilder.RandomBytes(5000, 2);

    [Fact]
    public void Write_WholeBundleInOneWrite_RoutesEveryStageToTarget()
    {
        using var builder = new BundleBuilder();
        var (bundle, _) = builder.Build(("fsbl", Fsbl), ("ssbl", []), ("os", Os));
        var target = new RecordingBundleTarget();
        using var parser = new BundleParserStream(target, bundle.Length);

        parser.Write(bundle);
        var manifest = parser.Complete();

        AssertTypicalStages(target);
        Assert.Same(target.Accepted, manifest);
        Assert.Equal(bundle.Length, parser.Length);
    }

    [Fact]
    public void Write_OneByteAtATime_RoutesEveryStageToTarget()
    {
        using var builder = new BundleBuilder();
        var (bundle, _) = builder.Build(("fsbl", Fsbl), ("ssbl", []), ("os", Os));
        var target = new RecordingBundleTarget();
        using var parser = new BundleParserStream(target, bundle.Length);

        for (var i = 0; i < bundle.Length; i++)
        {
            parser.Write(bundle, i, 1);
        }

        parser.Complete();

        AssertTypicalStages(target);
    }

    [Theory]
    [InlineData(1, 16)]
    [InlineData(2, 100)]
    [InlineData(3, 1500)]
    [InlineData(4, 7000)]
    public async Task WriteAsync_RandomChunkSizes_RoutesEveryStageToTarget(int seed, int maxChunk)
    {
        using var builder = new BundleBuilder();
        var (bundle, _) = builder.Build(("fsbl", Fsbl), ("ssbl", []), ("os", Os));
        var target = new RecordingBundleTarget();
        using var parser = new BundleParserStream(target, bundle.Length);
        var random = new Random(seed);

        for (var at = 0; at < bundle.Length;)
        {
            var take = Math.Min(random.Next(0, maxChunk + 1), bundle.Length - at);
            await parser.WriteAsync(bundle.AsMemory(at, take));
            at += take;
        }

        parser.Complete();

        AssertTypicalStages(target);
    }

    [Fact]
    public void Write_ZeroLengthStagesFirstMiddleAndLast_EachOpenedAndCompletedEmpty()
    {
        using var builder = new BundleBuilder();
        var (bundle, _) = builder.Build(("empty1", []), ("fsbl", Fsbl), ("empty2", []), ("empty3", []), ("os", Os), ("empty4", []));
        var target = new RecordingBundleTarget();
        using var parser = new BundleParserStream(target, bundle.Length);

        foreach (var chunk in bundle.Chunk(7))
        {
            parser.Write(chunk);
        }

        parser.Complete();

        Assert.Equal(
            ["accept", "open:empty1", "complete:empty1", "open:fsbl", "complete:fsbl", "open:empty2", "complete:empty2", "open:empty3", "complete:empty3", "open:os", "complete:os", "open:empty4", "complete:empty4"],
            target.Calls);
        Assert.Equal(Fsbl, target.Stages["fsbl"]);
        Assert.Equal(Os, target.Stages["os"]);
        Assert.All(new[] { "empty1", "empty2", "empty3", "empty4" }, name => Assert.Empty(target.Stages[name]));
    }

    [Fact]
    public void Write_OnlyZeroLengthStages_CompleteRightAfterTheManifest()
    {
        using var builder = new BundleBuilder();
        var (bundle, manifest) = builder.Build(("a", []), ("b", []));
        var target = new RecordingBundleTarget();
        using var parser = new BundleParserStream(target, bundle.Length);

        parser.Write(bundle);
        parser.Complete();

        Assert.Equal(12 + manifest.Bytes.Length, bundle.Length);
        Assert.Equal(["accept", "open:a", "complete:a", "open:b", "complete:b"], target.Calls);
    }

    [Theory]
    [InlineData("nothing", "header")]
    [InlineData("in magic", "header")]
    [InlineData("in length", "header")]
    [InlineData("header only", "boot manifest")]
    [InlineData("manifest middle", "boot manifest")]
    [InlineData("manifest less one byte", "boot manifest")]
    [InlineData("fsbl start", "stage \"fsbl\"")]
    [InlineData("fsbl middle", "stage \"fsbl\"")]
    [InlineData("fsbl less one byte", "stage \"fsbl\"")]
    [InlineData("os start", "stage \"os\"")]
    [InlineData("os middle", "stage \"os\"")]
    [InlineData("os less one byte", "stage \"os\"")]
    public void Complete_TruncatedBundle_ThrowsBundleExceptionNamingWhere(string point, string where)
    {
        using var builder = new BundleBuilder();
        var (bundle, manifest) = builder.Build(("fsbl", Fsbl), ("ssbl", []), ("os", Os));
        var m = manifest.Bytes.Length;
        var fsbl = 12 + m;
        var os = fsbl + Fsbl.Length;
        var length = point switch
        {
            "nothing" => 0,
            "in magic" => 4,
            "in length" => 10,
            "header only" => 12,
            "manifest middle" => 12 + (m / 2),
            "manifest less one byte" => 12 + m - 1,
            "fsbl start" => fsbl,
            "fsbl middle" => fsbl + (Fsbl.Length / 2),
            "fsbl less one byte" => os - 1,
            "os start" => os,
            "os middle" => os + (Os.Length / 2),
            "os less one byte" => bundle.Length - 1,
            _ => throw new ArgumentOutOfRangeException(nameof(point)),
        };
        var target = new RecordingBundleTarget();
        using var parser = new BundleParserStream(target);
        parser.Write(bundle.AsSpan(0, length));

        var ex = Assert.Throws<BundleException>(parser.Complete);

        Assert.Contains(where, ex.Message, StringComparison.Ordinal);
        Assert.Contains($"ends after {length} bytes", ex.Message, StringComparison.Ordinal);
        Assert.Contains("truncated", ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(target.Calls, c => c == "complete:os");
    }

    [Fact]
    public void Write_TrailingByteInSameWrite_ThrowsBundleException()
    {
        using var builder = new BundleBuilder();
        var (bundle, _) = builder.BuildTypical();
        using var parser = new BundleParserStream(new RecordingBundleTarget());

        var ex = Assert.Throws<BundleException>(() => parser.Write([.. bundle, 0]));

        Assert.Contains("after its last stage", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Write_TrailingBytesInLaterWrite_ThrowsBundleException()
    {
        using var builder = new BundleBuilder();
        var (bundle, _) = builder.BuildTypical();
        using var parser = new BundleParserStream(new RecordingBundleTarget());
        parser.Write(bundle);

        Assert.Throws<BundleException>(() => parser.Write(new byte[100]));
    }

    [Fact]
    public void Write_TrailingBytesAfterZeroLengthLastStage_ThrowsBundleException()
    {
        using var builder = new BundleBuilder();
        var (bundle, _) = builder.Build(("os", Os), ("empty", []));
        using var parser = new BundleParserStream(new RecordingBundleTarget());

        Assert.Throws<BundleException>(() => parser.Write([.. bundle, 0x4f]));
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(1)]
    [InlineData(1000)]
    public void Write_ExpectedLengthMismatch_RefusedBeforeTargetSeesAnything(int difference)
    {
        using var builder = new BundleBuilder();
        var (bundle, _) = builder.BuildTypical();
        var target = new RecordingBundleTarget();
        using var parser = new BundleParserStream(target, bundle.Length + difference);

        var ex = Assert.Throws<BundleException>(() => parser.Write(bundle));

        Assert.Contains("refused before writing anything", ex.Message, StringComparison.Ordinal);
        Assert.Contains($"{bundle.Length + difference} bytes", ex.Message, StringComparison.Ordinal);
        Assert.Empty(target.Calls);
        Assert.Equal(0, target.OpenStageCalls);
    }

    [Fact]
    public void Write_ExpectedLengthMismatchOneByteAtATime_RefusedAtLastManifestByte()
    {
        using var builder = new BundleBuilder();
        var (bundle, manifest) = builder.BuildTypical();
        var target = new RecordingBundleTarget();
        using var parser = new BundleParserStream(target, 0);
        var manifestEnd = 12 + manifest.Bytes.Length;

        for (var i = 0; i < manifestEnd - 1; i++)
        {
            parser.Write(bundle, i, 1);
        }

        Assert.Throws<BundleException>(() => parser.Write(bundle, manifestEnd - 1, 1));
        Assert.Equal(0, target.OpenStageCalls);
    }

    [Fact]
    public void Write_TargetRefusesManifest_NoStageOpened()
    {
        using var builder = new BundleBuilder();
        var (bundle, _) = builder.BuildTypical();
        var target = new RecordingBundleTarget(_ => new BundleException("not for this device"));
        using var parser = new BundleParserStream(target);

        var ex = Assert.Throws<BundleException>(() => parser.Write(bundle));

        Assert.Equal("not for this device", ex.Message);
        Assert.Equal(["accept"], target.Calls);
    }

    [Theory]
    [InlineData("OTTERBD2")]
    [InlineData("otterbd1")]
    [InlineData("PK\u0003\u0004\u0014\0\0\0")]
    [InlineData("\0\0\0\0\0\0\0\0")]
    public void Write_BadMagic_ThrowsBundleException(string magic)
    {
        using var builder = new BundleBuilder();
        var (bundle, _) = builder.BuildTypical();
        System.Text.Encoding.Latin1.GetBytes(magic).CopyTo(bundle, 0);
        var target = new RecordingBundleTarget();
        using var parser = new BundleParserStream(target);

        var ex = Assert.Throws<BundleException>(() => parser.Write(bundle));

        Assert.Contains("not an Otter bundle", ex.Message, StringComparison.Ordinal);
        Assert.Empty(target.Calls);
    }

    [Theory]
    [InlineData(0u)]
    [InlineData(SignedBootManifest.MaxLength + 1u)]
    [InlineData(uint.MaxValue)]
    public void Write_ManifestLengthOutOfRange_ThrowsBundleExceptionAtHeader(uint length)
    {
        var target = new RecordingBundleTarget();
        using var parser = new BundleParserStream(target);
        var header = ManifestDocuments.Header(length);
        parser.Write(header.AsSpan(0, 11));

        var ex = Assert.Throws<BundleException>(() => parser.Write(header.AsSpan(11)));

        Assert.Contains($"declares a {length}-byte manifest", ex.Message, StringComparison.Ordinal);
        Assert.Empty(target.Calls);
    }

    [Fact]
    public void Write_ManifestNotJson_ThrowsBundleException()
    {
        var target = new RecordingBundleTarget();
        using var parser = new BundleParserStream(target);

        Assert.Throws<BundleException>(() => parser.Write(ManifestDocuments.Bundle("{not json"u8.ToArray(), [1, 2, 3])));
        Assert.Empty(target.Calls);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(999)]
    public void Write_FsblBytesAltered_ThrowsBundleExceptionNamingStage(int offsetInStage)
    {
        using var builder = new BundleBuilder();
        var (bundle, manifest) = builder.Build(("fsbl", Fsbl), ("ssbl", []), ("os", Os));
        bundle[12 + manifest.Bytes.Length + offsetInStage] ^= 0x01;
        var target = new RecordingBundleTarget();
        using var parser = new BundleParserStream(target);

        var ex = Assert.Throws<BundleException>(() => parser.Write(bundle));

        Assert.Contains("stage \"fsbl\" does not match its SHA-256", ex.Message, StringComparison.Ordinal);
        Assert.Equal(["accept", "open:fsbl"], target.Calls);
    }

    [Fact]
    public void Write_LastByteOfOsAltered_ThrowsBundleExceptionNamingStage()
    {
        using var builder = new BundleBuilder();
        var (bundle, _) = builder.Build(("fsbl", Fsbl), ("ssbl", []), ("os", Os));
        bundle[^1] ^= 0x80;
        var target = new RecordingBundleTarget();
        using var parser = new BundleParserStream(target);

        var ex = Assert.Throws<BundleException>(() => parser.Write(bundle));

        Assert.Contains("stage \"os\"", ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("complete:os", target.Calls);
        Assert.Contains("complete:fsbl", target.Calls);
    }

    [Fact]
    public void Write_EmptyStageWithWrongHash_ThrowsBundleExceptionNamingStage()
    {
        using var builder = new BundleBuilder();
        var signed = ManifestDocuments.Signed(
            ManifestDocuments.Stage("fsbl", Fsbl.Length, Convert.ToHexStringLower(SHA256.HashData(Fsbl))),
            ManifestDocuments.Stage("ssbl", 0, new string('0', 64)));
        var bundle = ManifestDocuments.Bundle(ManifestDocuments.Sign(signed, builder.BootKey), Fsbl);
        var target = new RecordingBundleTarget();
        using var parser = new BundleParserStream(target);

        var ex = Assert.Throws<BundleException>(() => parser.Write(bundle));

        Assert.Contains("stage \"ssbl\"", ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("complete:ssbl", target.Calls);
    }

    [Theory]
    [MemberData(nameof(SignedBootManifestTests.NotPlainNames), MemberType = typeof(SignedBootManifestTests))]
    public void Write_ManifestStageNameNotPlain_RefusedBeforeTargetSeesAnything(string name)
    {
        using var builder = new BundleBuilder();
        var bundle = ManifestDocuments.Bundle(ManifestDocuments.Sign(ManifestDocuments.Signed((name, Os)), builder.BootKey), Os);
        var target = new RecordingBundleTarget();
        using var parser = new BundleParserStream(target);

        var ex = Assert.Throws<BundleException>(() => parser.Write(bundle));

        Assert.Contains("not a plain name", ex.Message, StringComparison.Ordinal);
        Assert.Empty(target.Calls);
    }

    [Theory]
    [InlineData(new[] { BundleFormat.MaxStageLength + 1 })]
    [InlineData(new[] { long.MaxValue })]
    [InlineData(new[] { BundleFormat.MaxStageLength, 1L })]
    [InlineData(new[] { BundleFormat.MaxStageLength, BundleFormat.MaxStageLength, BundleFormat.MaxStageLength })]
    public void Write_HugeDeclaredLengths_RefusedAtParseBeforeTargetSeesAnything(long[] lengths)
    {
        using var builder = new BundleBuilder();
        var stages = lengths.Select((l, i) => ManifestDocuments.Stage($"s{i}", l, new string('a', 64))).ToArray();
        var bundle = ManifestDocuments.Bundle(ManifestDocuments.Sign(ManifestDocuments.Signed(stages), builder.BootKey), new byte[4096]);
        var target = new RecordingBundleTarget();
        using var parser = new BundleParserStream(target);

        Assert.Throws<BundleException>(() => parser.Write(bundle));
        Assert.Empty(target.Calls);
    }

    [Fact]
    public void Write_AfterComplete_ThrowsInvalidOperationException()
    {
        using var builder = new BundleBuilder();
        var (bundle, _) = builder.BuildTypical();
        using var parser = new BundleParserStream(new RecordingBundleTarget());
        parser.Write(bundle);
        parser.Complete();

        Assert.Throws<InvalidOperationException>(() => parser.Write([0]));
    }

    [Fact]
    public void Read_NotSupported_Throws()
    {
        using var parser = new BundleParserStream(new RecordingBundleTarget());

        Assert.False(parser.CanRead);
        Assert.Throws<NotSupportedException>(() => parser.Read(new byte[1], 0, 1));
    }

    [Fact]
    public void Write_256MiBBundleIn1MiBChunks_AllocatesLittle()
    {
        const int chunk = 1 << 20;
        const long osLength = 256L * chunk;
        using var builder = new BundleBuilder();
        var block = BundleBuilder.RandomBytes(chunk, 3);
        byte[] osHash;
        using (var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256))
        {
            for (var i = 0; i < 256; i++)
            {
                hash.AppendData(block);
            }

            osHash = hash.GetHashAndReset();
        }

        var signed = ManifestDocuments.Signed(
            ManifestDocuments.Stage("fsbl", Fsbl.Length, Convert.ToHexStringLower(SHA256.HashData(Fsbl))),
            ManifestDocuments.Stage("os", osLength, Convert.ToHexStringLower(osHash)));
        var prefix = ManifestDocuments.Bundle(ManifestDocuments.Sign(signed, builder.BootKey), Fsbl);
        var total = prefix.Length + osLength;
        var buffer = new byte[chunk];
        var target = new NullBundleTarget();
        var before = GC.GetAllocatedBytesForCurrentThread();

        using (var parser = new BundleParserStream(target, total))
        {
            // The logical bundle is the prefix, then the block 256 times; written in 1 MiB chunks
            // that straddle the header, manifest and stage boundaries.
            for (long at = 0; at < total; at += chunk)
            {
                var length = (int)Math.Min(chunk, total - at);
                for (var filled = 0; filled < length;)
                {
                    var position = at + filled;
                    int copied;
                    if (position < prefix.Length)
                    {
                        copied = Math.Min(length - filled, prefix.Length - (int)position);
                        prefix.AsSpan((int)position, copied).CopyTo(buffer.AsSpan(filled));
                    }
                    else
                    {
                        var inBlock = (int)((position - prefix.Length) % chunk);
                        copied = Math.Min(length - filled, chunk - inBlock);
                        block.AsSpan(inBlock, copied).CopyTo(buffer.AsSpan(filled));
                    }

                    filled += copied;
                }

                parser.Write(buffer, 0, length);
            }

            parser.Complete();
        }

        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.True(allocated < 2 * 1024 * 1024, $"parsing a {total:N0}-byte bundle allocated {allocated:N0} bytes");
    }

    private static void AssertTypicalStages(RecordingBundleTarget target)
    {
        Assert.Equal(["accept", "open:fsbl", "complete:fsbl", "open:ssbl", "complete:ssbl", "open:os", "complete:os"], target.Calls);
        Assert.Equal(Fsbl, target.Stages["fsbl"]);
        Assert.Empty(target.Stages["ssbl"]);
        Assert.Equal(Os, target.Stages["os"]);
    }
}
