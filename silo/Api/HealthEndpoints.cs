using System.Text.Json;
using IndustryBrain.Silo.Ingest;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace IndustryBrain.Silo.Api;

/// <summary>
/// The probes Kubernetes and load balancers expect, beside the detailed <c>/health</c>:
/// <c>/health/live</c> answers 200 while the process serves HTTP at all (no check: restarting a silo
/// whose broker is away would not bring the broker back); <c>/health/ready</c> answers 200 only while
/// this silo takes work: Orleans is active, the broker connection is live, and the silo is not stopping.
/// </summary>
public static class HealthEndpoints
{
    public const string Ready = "ready";

    public static IServiceCollection AddBrainHealthChecks(this IServiceCollection services)
    {
        services.AddHealthChecks()
            .AddCheck<SiloHealthCheck>("silo", tags: [Ready])
            .AddCheck<BrokerHealthCheck>("broker", tags: [Ready]);
        return services;
    }

    public static void MapBrainHealthChecks(this IEndpointRouteBuilder app)
    {
        app.MapHealthChecks("/health/live", new HealthCheckOptions { Predicate = _ => false, ResponseWriter = Write })
            .WithTags("Operations")
            .WithSummary("Liveness: 200 while the process answers HTTP");
        app.MapHealthChecks("/health/ready", new HealthCheckOptions { Predicate = c => c.Tags.Contains(Ready), ResponseWriter = Write })
            .WithTags("Operations")
            .WithSummary("Readiness: 200 while Orleans is active, the broker connection is live and the silo is not stopping; otherwise 503");
    }

    /// <summary><c>{"status":"Healthy","checks":{"broker":{"status":"Healthy","description":"..."}}}</c></summary>
    private static Task Write(HttpContext context, HealthReport report)
    {
        context.Response.ContentType = "application/json; charset=utf-8";
        var body = new
        {
            status = report.Status.ToString(),
            checks = report.Entries.ToDictionary(e => e.Key, e => new { status = e.Value.Status.ToString(), description = e.Value.Description }),
        };
        return context.Response.WriteAsync(JsonSerializer.Serialize(body, JsonSerializerOptions.Web));
    }

    /// <summary>Orleans has joined its cluster and the host is not stopping.</summary>
    private sealed class SiloHealthCheck(IServiceProvider services, IHostApplicationLifetime lifetime) : IHealthCheck
    {
        public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
        {
            if (lifetime.ApplicationStopping.IsCancellationRequested)
            {
                return Task.FromResult(HealthCheckResult.Unhealthy("the silo is stopping"));
            }

            var silo = services.GetRequiredService<ILocalSiloDetails>().SiloAddress;
            var status = services.GetService<IClusterMembershipService>()?.CurrentSnapshot.GetSiloStatus(silo) ?? SiloStatus.None;
            return Task.FromResult(status == SiloStatus.Active
                ? HealthCheckResult.Healthy("Orleans is active")
                : HealthCheckResult.Unhealthy($"Orleans is {status.ToString().ToLowerInvariant()}"));
        }
    }

    /// <summary>The embedded broker is listening, or the external broker is connected.</summary>
    private sealed class BrokerHealthCheck(IBrainPublisher broker) : IHealthCheck
    {
        public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
            Task.FromResult(broker.IsLive ? HealthCheckResult.Healthy("the broker is live") : HealthCheckResult.Unhealthy("the broker is down"));
    }
}
