using System.CommandLine;
using System.Globalization;
using Otter.Cli.Cli;
using Otter.Protocol;
using Otter.Protocol.Alerts;

namespace Otter.Cli.Commands;

/// <summary><c>otter alert add-webhook|webhooks|list</c>: where alerts go, and what became of them.</summary>
internal static class AlertCommand
{
    // The server's minimum; checked here too so a short secret is refused before it travels.
    private const int MinSecretLength = 16;

    public static Command Create(CliEnvironment environment)
    {
        var command = new Command("alert", "Alert webhooks (rollout halted or completed, device rolled back, attestation mismatch, key expiring) and the alert log.");
        command.Subcommands.Add(AddWebhook(environment));
        command.Subcommands.Add(List(environment));
        command.Subcommands.Add(Webhooks(environment));
        return command;
    }

    private static Command AddWebhook(CliEnvironment environment)
    {
        var url = new Argument<string>("URL") { Description = "Where alerts are posted (http or https), signed in the X-Otter-Signature header." };
        var secretVariable = new Option<string>("--secret-env")
        {
            Description = "The name of the environment variable holding the HMAC secret (at least 16 characters); never the secret itself, command lines are visible to other users.",
            Required = true,
        };
        var json = KeysCommand.JsonOption();
        var server = new ServerOptions();
        var command = server.AddTo(new Command("add-webhook", "Add a webhook (admin key); every alert is posted to it, signed with the secret.") { url, secretVariable, json });
        command.SetAction(async (parse, cancellationToken) =>
        {
            var secret = ReadSecret(parse.GetValue(secretVariable)!, environment);
            using var client = server.Connect(parse, environment);
            var webhook = await client.PostAsync(
                "api/v1/alerts/webhooks",
                new WebhookRequest { Url = parse.GetValue(url)!, Secret = secret },
                ProtocolJsonContext.Default.WebhookRequest,
                ProtocolJsonContext.Default.WebhookView,
                cancellationToken);
            if (parse.GetValue(json))
            {
                Output.Json(environment.Output, webhook, ProtocolJsonContext.Default.WebhookView);
            }
            else
            {
                environment.Output.WriteLine($"added webhook {Output.Number(webhook.Id)}: {webhook.Url}; alerts are signed with the secret from ${parse.GetValue(secretVariable)} (header {AlertSignature.Header}).");
            }

            return ExitCodes.Success;
        });
        return command;
    }

    private static Command List(CliEnvironment environment)
    {
        var json = KeysCommand.JsonOption();
        var server = new ServerOptions();
        var command = server.AddTo(new Command("list", "Recent alerts, newest first, with what became of each webhook delivery.") { json });
        command.SetAction(async (parse, cancellationToken) =>
        {
            using var client = server.Connect(parse, environment);
            var alerts = await client.GetAsync("api/v1/alerts", ProtocolJsonContext.Default.ListAlertView, cancellationToken);
            if (parse.GetValue(json))
            {
                Output.Json(environment.Output, alerts, ProtocolJsonContext.Default.ListAlertView);
                return ExitCodes.Success;
            }

            if (alerts.Count == 0)
            {
                environment.Output.WriteLine("no alerts yet.");
                return ExitCodes.Success;
            }

            var table = new TextTable("ID", "AT", "SEVERITY", "KIND", "SUBJECT", "DELIVERY", "SUMMARY");
            foreach (var view in alerts)
            {
                var alert = view.Alert;
                table.Add(Output.Number(alert.Id), Output.Date(alert.At), alert.Severity, alert.Kind, alert.Subject, Delivery(view.Deliveries), alert.Summary);
            }

            table.WriteTo(environment.Output);
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command Webhooks(CliEnvironment environment)
    {
        var json = KeysCommand.JsonOption();
        var server = new ServerOptions();
        var command = server.AddTo(new Command("webhooks", "List the webhooks alerts are posted to (their secrets are never shown).") { json });
        command.SetAction(async (parse, cancellationToken) =>
        {
            using var client = server.Connect(parse, environment);
            var webhooks = await client.GetAsync("api/v1/alerts/webhooks", ProtocolJsonContext.Default.ListWebhookView, cancellationToken);
            if (parse.GetValue(json))
            {
                Output.Json(environment.Output, webhooks, ProtocolJsonContext.Default.ListWebhookView);
                return ExitCodes.Success;
            }

            if (webhooks.Count == 0)
            {
                environment.Output.WriteLine("no webhooks; add one with `otter alert add-webhook URL --secret-env VAR`.");
                return ExitCodes.Success;
            }

            var table = new TextTable("ID", "URL", "ADDED");
            foreach (var webhook in webhooks)
            {
                table.Add(Output.Number(webhook.Id), webhook.Url, Output.Date(webhook.CreatedAt));
            }

            table.WriteTo(environment.Output);
            return ExitCodes.Success;
        });
        return command;
    }

    /// <summary>The secret from the named variable; the messages never echo a value, in case a secret was given as the name.</summary>
    private static string ReadSecret(string variable, CliEnvironment environment)
    {
        if (variable.Length == 0 || variable.Any(c => !char.IsAsciiLetterOrDigit(c) && c != '_') || char.IsAsciiDigit(variable[0]))
        {
            throw new UsageException("--secret-env takes the name of an environment variable (letters, digits and _), not the secret; e.g. export OTTER_WEBHOOK_SECRET=$(openssl rand -hex 32) and pass --secret-env OTTER_WEBHOOK_SECRET.");
        }

        var secret = environment.Variables(variable);
        if (string.IsNullOrEmpty(secret))
        {
            throw new UsageException($"environment variable {variable} is not set; export the webhook secret in it first, e.g. export {variable}=$(openssl rand -hex 32).");
        }

        if (secret.Length < MinSecretLength)
        {
            throw new UsageException($"environment variable {variable} holds {secret.Length.ToString(CultureInfo.InvariantCulture)} characters; a webhook secret needs at least {MinSecretLength.ToString(CultureInfo.InvariantCulture)}, e.g. export {variable}=$(openssl rand -hex 32).");
        }

        return secret;
    }

    private static string Delivery(IReadOnlyList<DeliveryView> deliveries)
    {
        if (deliveries.Count == 0)
        {
            return "no webhooks";
        }

        return string.Join(", ", deliveries.Select(d =>
        {
            var detail = d.Status switch
            {
                "delivered" => d.Attempts > 1 ? $"delivered after {d.Attempts.ToString(CultureInfo.InvariantCulture)} attempts" : "delivered",
                "pending" => d.Attempts == 0 ? "pending" : $"pending, {d.Attempts.ToString(CultureInfo.InvariantCulture)} attempts ({Problem(d)})",
                _ => $"{d.Status} after {d.Attempts.ToString(CultureInfo.InvariantCulture)} attempts ({Problem(d)})",
            };
            return deliveries.Count == 1 ? detail : $"#{d.SinkId.ToString(CultureInfo.InvariantCulture)} {detail}";
        }));
    }

    private static string Problem(DeliveryView delivery) =>
        delivery.LastStatusCode is { } status ? "HTTP " + status.ToString(CultureInfo.InvariantCulture) : delivery.LastError ?? "no answer";
}
