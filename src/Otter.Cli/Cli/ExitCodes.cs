namespace Otter.Cli.Cli;

/// <summary>The exit codes every otter command uses.</summary>
internal static class ExitCodes
{
    /// <summary>The command did what was asked.</summary>
    public const int Success = 0;

    /// <summary>Something was checked and failed verification.</summary>
    public const int VerificationFailed = 1;

    /// <summary>Bad usage or input: nothing was changed.</summary>
    public const int BadInput = 2;
}
