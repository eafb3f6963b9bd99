using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.FileProviders;
using Otter.Protocol;
using Otter.Server.Api;
using Otter.Server.Audit;
using Otter.Server.Data;
using Otter.Server.Devices;
using Otter.Server.Releases;
using Otter.Server.Setup;

namespace Otter.Server.Hosting;

/// <summary><c>AddOtterServer</c> / <c>UseOtterServer</c>: the services and the pipeline.</summary>
internal static class ServerServices
{
    public static IServiceCollection AddOtterServer(this IServiceCollection services, ServerState state, TimeProvider time, bool backgroundWork)
    {
        services.AddSingleton(new BackgroundWork(backgroundWork));
        services.AddSingleton(state);
        services.AddSingleton(state.Paths);
        services.AddSingleton(time);
        services.AddDbContextPool<OtterDbContext>(options => DatabaseOptions.Configure(options, state.Settings.Database, state.Paths.SqliteDatabase));
        services.AddMetrics();
        services.AddSingleton<ServerMetrics>();
        services.AddSingleton<AuditLog>();
        services.AddSingleton<TokenReplayCache>();
        services.AddSingleton<DeviceLimiter>();
        services.AddSingleton<EnrollmentService>();
        services.AddSingleton<CheckInService>();
        services.AddSingleton<DeviceWriteBehind>();
        services.AddSingleton<DeviceLookup>();
        services.AddSingleton<ReleaseCache>();
        services.AddHostedService(provider => provider.GetRequiredService<DeviceWriteBehind>());
        services.AddSingleton<ReleasePublisher>();
        services.AddSingleton<ReleaseReconciler>();
        services.AddSingleton<Repository.MetadataRefresher>();
        services.AddSingleton<Alerts.AlertSignal>();
        services.AddSingleton<Alerts.AlertService>();
        services.AddSingleton<Alerts.AlertDispatcher>();
        services.AddHostedService(provider => provider.GetRequiredService<Alerts.AlertDispatcher>());
        services.AddSingleton<Reports.ComplianceService>();
        services.AddSingleton<Incidents.IncidentService>();
        services.AddSingleton<Incidents.RemediationOrders>();
        services.AddSingleton<Incidents.RemediationService>();
        services.AddSingleton<Incidents.VerificationFailures>();
        services.AddSingleton<Incidents.AnomalyDetectors>();
        services.AddHostedService<Incidents.IncidentWorker>();
        services.AddSingleton<Rollouts.RolloutService>();
        services.AddSingleton<Rollouts.RolloutEngine>();
        services.AddHostedService(provider => provider.GetRequiredService<Rollouts.RolloutEngine>());
        services.AddHostedService(provider => provider.GetRequiredService<Repository.MetadataRefresher>());
        services.AddProblemDetails();
        services.AddOpenApi();
        services.ConfigureHttpJsonOptions(options => options.SerializerOptions.TypeInfoResolverChain.Insert(0, ProtocolJsonContext.Default));
        return services;
    }

    public static WebApplication UseOtterServer(this WebApplication app, ServerState state)
    {
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.UseMiddleware<RefusalLoggingMiddleware>();
        app.UseMiddleware<DeviceAuthenticationMiddleware>();
        Serve(app, "/repo/metadata", Path.Combine(state.Paths.Repository, "metadata"), mutable: true);
        Serve(app, "/repo/targets", Path.Combine(state.Paths.Repository, "targets"), mutable: false);
        Serve(app, "/log/tile", Path.Combine(state.Paths.Log, "tile"), mutable: false);
        app.MapGet("/log/checkpoint", (HttpContext context) =>
        {
            context.Response.Headers.CacheControl = "no-cache";
            return Results.File(Path.Combine(state.Paths.Log, "checkpoint"), "text/plain; charset=utf-8");
        }).WithTags("Transparency log");
        app.MapOpenApi("/openapi/{documentName}.json");
        app.MapDeviceApi();
        app.MapReleasesApi();
        app.MapDevicesApi();
        app.MapAuditApi();
        app.MapApiKeysApi();
        app.MapRolloutsApi();
        app.MapAlertsApi();
        app.MapReportsApi();
        app.MapIncidentsApi();
        app.MapDeviceOrdersApi();
        app.MapRemediationApi();
        return app;
    }

    private static void Serve(WebApplication app, string requestPath, string directory, bool mutable)
    {
        Directory.CreateDirectory(directory);
        app.UseStaticFiles(new StaticFileOptions
        {
            RequestPath = requestPath,
            FileProvider = new PhysicalFileProvider(directory),
            ServeUnknownFileTypes = true,
            DefaultContentType = "application/octet-stream",
            OnPrepareResponse = context =>
                // Targets and full tiles never change under their names; metadata like timestamp.json does.
                context.Context.Response.Headers.CacheControl = mutable ? "no-cache" : "public, max-age=31536000, immutable",
        });
    }
}
