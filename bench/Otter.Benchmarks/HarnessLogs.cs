namespace Otter.Benchmarks;

/// <summary>Keeps the servers' logs of a run (otter, the anchor, nginx) beside its results before the work directory is deleted, so a failure can be read afterwards.</summary>
internal static class HarnessLogs
{
    public static void Save(string root, string? results, string name)
    {
        if (results is null || !Directory.Exists(root))
        {
            return;
        }

        // Best effort: it runs in a finally block, where it must not hide the run's own exception.
        try
        {
            var target = Path.Combine(results, name + "-logs");
            Directory.CreateDirectory(target);
            foreach (var log in Directory.EnumerateFiles(root, "*.log", SearchOption.AllDirectories))
            {
                File.Copy(log, Path.Combine(target, Path.GetRelativePath(root, log).Replace('/', '-')), overwrite: true);
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            Console.Error.WriteLine($"{name}: could not keep the logs: {ex.Message}");
        }
    }
}
