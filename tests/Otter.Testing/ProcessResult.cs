using System.Diagnostics;

namespace Otter.Testing;

/// <summary>The result of a finished process.</summary>
public sealed record ProcessResult(int ExitCode, string StandardOutput, string StandardError);
