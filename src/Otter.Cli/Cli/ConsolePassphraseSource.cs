using System.Text;
using Otter.Trust.Keys;

namespace Otter.Cli.Cli;

/// <summary>
/// Passphrases from <c>OTTER_KEY_PASSPHRASE</c>, else asked for on the terminal (not echoed),
/// else a clear error: a script must never hang waiting for input nobody will give.
/// </summary>
internal sealed class ConsolePassphraseSource(TextWriter prompt) : IPassphraseSource
{
    public const string VariableName = "OTTER_KEY_PASSPHRASE";

    public string GetPassphrase(string keyPath, bool confirm)
    {
        var fromEnvironment = Environment.GetEnvironmentVariable(VariableName);
        if (!string.IsNullOrEmpty(fromEnvironment))
        {
            return fromEnvironment;
        }

        if (Console.IsInputRedirected)
        {
            throw new KeyException($"{keyPath} is encrypted and no passphrase is available: set {VariableName}, or run otter on a terminal to be asked.");
        }

        var first = Ask($"Passphrase for {keyPath}: ");
        if (first.Length == 0)
        {
            throw new KeyException($"an empty passphrase is not accepted for {keyPath}.");
        }

        if (confirm && Ask("Repeat the passphrase: ") != first)
        {
            throw new KeyException("the two passphrases differ; nothing was written. Try again.");
        }

        return first;
    }

    private string Ask(string text)
    {
        prompt.Write(text);
        prompt.Flush();
        var builder = new StringBuilder();
        while (true)
        {
            var key = Console.ReadKey(intercept: true);
            if (key.Key == ConsoleKey.Enter)
            {
                break;
            }

            if (key.Key == ConsoleKey.Backspace)
            {
                if (builder.Length > 0)
                {
                    builder.Length--;
                }

                continue;
            }

            builder.Append(key.KeyChar);
        }

        prompt.WriteLine();
        return builder.ToString();
    }
}
