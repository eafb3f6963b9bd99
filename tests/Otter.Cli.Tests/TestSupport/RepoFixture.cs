namespace Otter.Cli.Tests.TestSupport;

/// <summary>A temp folder with a root key, online keys and an initialised repository in <c>repo/</c>.</summary>
internal sealed class RepoFixture : IDisposable
{
    private RepoFixture(TempDirectory temp, ManualTimeProvider time)
    {
        Temp = temp;
        Time = time;
        Runner = new OtterRunner(time);
        RootKey = TestKeys.Create(temp.Path, "root");
        TargetsKey = TestKeys.Create(temp.Path, "targets");
        SnapshotKey = TestKeys.Create(temp.Path, "snapshot");
        TimestampKey = TestKeys.Create(temp.Path, "timestamp");
    }

    public TempDirectory Temp { get; }

    public ManualTimeProvider Time { get; }

    public OtterRunner Runner { get; }

    public string RootKey { get; }

    public string TargetsKey { get; }

    public string SnapshotKey { get; }

    public string TimestampKey { get; }

    public string Repo => Temp.Combine("repo");

    public string TrustedRoot => Temp.Combine("trusted-root.json");

    public static async Task<RepoFixture> CreateAsync(bool init = true)
    {
        var fixture = new RepoFixture(new TempDirectory(), new ManualTimeProvider(new DateTimeOffset(2026, 11, 1, 12, 0, 0, TimeSpan.Zero)));
        if (init)
        {
            var result = await fixture.Runner.RunAsync(
                "repo", "init", fixture.Repo, "--root-key", fixture.RootKey,
                "--targets-key", fixture.TargetsKey, "--snapshot-key", fixture.SnapshotKey, "--timestamp-key", fixture.TimestampKey);
            Assert.True(result.ExitCode == 0, result.Error);
            File.Copy(Path.Combine(fixture.Repo, "metadata", "1.root.json"), fixture.TrustedRoot);
        }

        return fixture;
    }

    public string WriteFile(string name, string content)
    {
        var path = Temp.Combine(name);
        File.WriteAllText(path, content);
        return path;
    }

    public Task<CliResult> AddAsync(string file, params string[] extra) =>
        Runner.RunAsync(["repo", "add", Repo, file, .. extra, "--targets-key", TargetsKey, "--snapshot-key", SnapshotKey, "--timestamp-key", TimestampKey]);

    public Task<CliResult> VerifyAsync(params string[] extra) =>
        Runner.RunAsync(["repo", "verify", Repo, "--trusted-root", TrustedRoot, .. extra]);

    public void Dispose() => Temp.Dispose();
}
