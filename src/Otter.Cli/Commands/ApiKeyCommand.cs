using System.CommandLine;
using Otter.Cli.Cli;
using Otter.Protocol;
using Otter.Protocol.Management;

namespace Otter.Cli.Commands;

/// <summary><c>otter api-key create</c>: keys for people and scripts (admin key needed).</summary>
internal static class ApiKeyCommand
{
    public static Command Create(CliEnvironment environment)
    {
        var command = new Command("api-key", "Manage management API keys (admin key needed).");
        command.Subcommands.Add(CreateKey(environment));
        return command;
    }

    private static Command CreateKey(CliEnvironment environment)
    {
        var name = new Option<string>("--name") { Description = "Who or what the key is for (shown in the audit log), 1 to 64 characters.", Required = true };
        var role = new Option<string>("--role") { Description = $"The key's role: {string.Join(", ", Roles.All)}.", Required = true };
        var json = KeysCommand.JsonOption();
        var server = new ServerOptions();
        var command = server.AddTo(new Command("create", "Create an API key; it is printed once and only its hash is stored.") { name, role, json });
        command.SetAction(async (parse, cancellationToken) =>
        {
            var keyName = parse.GetValue(name)!;
            var keyRole = parse.GetValue(role)!;
            if (!Roles.All.Contains(keyRole))
            {
                throw new UsageException($"--role {keyRole} is not one of {string.Join(", ", Roles.All)}.");
            }

            if (keyName.Length is 0 or > 64 || keyName.Any(char.IsControl))
            {
                throw new UsageException("--name must be 1 to 64 characters without control characters.");
            }

            using var client = server.Connect(parse, environment);
            var created = await client.PostAsync(
                "api/v1/api-keys",
                new ApiKeyRequest { Name = keyName, Role = keyRole },
                ProtocolJsonContext.Default.ApiKeyRequest,
                ProtocolJsonContext.Default.ApiKeyCreated,
                cancellationToken);
            if (parse.GetValue(json))
            {
                Output.Json(environment.Output, created, ProtocolJsonContext.Default.ApiKeyCreated);
            }
            else
            {
                environment.Output.WriteLine($"created API key {created.Name} with role {created.Role}. It is shown once; only its hash is stored:");
                environment.Output.WriteLine($"api-key: {created.Key}");
            }

            return ExitCodes.Success;
        });
        return command;
    }
}
