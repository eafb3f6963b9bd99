using System.CommandLine;

namespace Otter.Cli.Cli;

/// <summary>The options every management command takes: where the server is, the API key, and the CA to trust.</summary>
internal sealed class ServerOptions
{
    public Option<string> Server { get; } = new("--server")
    {
        Description = $"Management API URL, e.g. https://127.0.0.1:8443 (default: ${ManagementClient.ServerVariable}).",
    };

    public Option<string> ApiKey { get; } = new("--api-key")
    {
        Description = $"API key (default: ${ManagementClient.ApiKeyVariable}; prefer the variable, command lines are visible to other users).",
    };

    public Option<string> ServerCa { get; } = new("--server-ca")
    {
        Description = $"The fleet CA (PEM) the server's TLS certificate must chain to (default: ${ManagementClient.ServerCaVariable}, else the system trust store).",
    };

    /// <summary>Adds the options to <paramref name="command"/> and returns it.</summary>
    public Command AddTo(Command command)
    {
        ArgumentNullException.ThrowIfNull(command);
        command.Options.Add(Server);
        command.Options.Add(ApiKey);
        command.Options.Add(ServerCa);
        return command;
    }

    public ManagementClient Connect(ParseResult parse, CliEnvironment environment)
    {
        ArgumentNullException.ThrowIfNull(parse);
        ArgumentNullException.ThrowIfNull(environment);
        return ManagementClient.Create(parse.GetValue(Server), parse.GetValue(ApiKey), parse.GetValue(ServerCa), environment.Variables);
    }
}
