using System.Threading.RateLimiting;
using IndustryBrain.Silo.Api;
using IndustryBrain.Silo.Mqtt;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Options;

namespace IndustryBrain.Silo.Security;

/// <summary>
/// Who may do what, wired once for the whole silo: the API-key authentication handler, one authorization
/// policy (<see cref="AccessRule"/>) that is both the default and the fallback policy, so every endpoint is
/// covered without asking for it, the rate limits and Kestrel's limits.
/// </summary>
public static class SecurityHosting
{
    public static IServiceCollection AddBrainSecurity(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<AuthOptions>().Bind(configuration.GetSection("Auth"))
            .Validate(o => o.CacheSeconds is >= 0 and <= 300, "Auth:CacheSeconds must be between 0 and 300")
            .Validate(o => o.AdminKey.Length <= KeyVerifier.MaxKeyLength, "Auth:AdminKey is too long")
            .ValidateOnStart();
        services.AddOptions<HttpLimitOptions>().Bind(configuration.GetSection("Http"))
            .Validate(o => o.MaxRequestBodyBytes > 0 && o.MaxConnections > 0, "Http:MaxRequestBodyBytes and Http:MaxConnections must be positive")
            .Validate(o => o.RequestsPerSecond >= 0 && o.RequestBurst > 0 && o.AnonymousRequestsPerSecond >= 0 && o.AnonymousRequestBurst > 0,
                "Http request rates must not be negative, bursts must be positive")
            .ValidateOnStart();
        services.AddSingleton<SecurityMetrics>();
        services.AddSingleton<KeyVerifier>();
        services.AddSingleton<KeyWatch>();
        services.AddSingleton<TerminalVerifier>();
        services.AddHostedService<AdminKeyBootstrap>();

        // The core alone: no cookies, so no data-protection keys to keep.
        services.AddAuthenticationCore(o => o.DefaultScheme = BearerKeyHandler.SchemeName);
        services.AddWebEncoders();
        new AuthenticationBuilder(services).AddScheme<AuthenticationSchemeOptions, BearerKeyHandler>(BearerKeyHandler.SchemeName, null);
        services.AddSingleton<IAuthorizationHandler, AccessRequirementHandler>();
        services.AddAuthorizationBuilder()
            .AddPolicy(AccessRequirement.Policy, Rule())
            .SetDefaultPolicy(Rule())
            .SetFallbackPolicy(Rule());

        services.AddOptions<KestrelServerOptions>().Configure<IOptions<HttpLimitOptions>>((kestrel, limits) =>
        {
            kestrel.Limits.MaxRequestBodySize = limits.Value.MaxRequestBodyBytes;
            kestrel.Limits.MaxConcurrentConnections = limits.Value.MaxConnections;
            kestrel.Limits.MaxConcurrentUpgradedConnections = limits.Value.MaxConnections;
            kestrel.AddServerHeader = false;
        });

        services.AddRateLimiter(_ => { });
        services.AddOptions<RateLimiterOptions>().Configure<IOptions<HttpLimitOptions>, SecurityMetrics>((o, limits, metrics) =>
        {
            var http = limits.Value;
            o.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            o.GlobalLimiter = PartitionedRateLimiter.Create<HttpContext, string>(context =>
            {
                if (!context.Request.Path.StartsWithSegments("/api", StringComparison.OrdinalIgnoreCase))
                {
                    return RateLimitPartition.GetNoLimiter("");
                }

                if (BearerKeyHandler.CallerOf(context) is { } caller)
                {
                    return http.RequestsPerSecond <= 0
                        ? RateLimitPartition.GetNoLimiter("key")
                        : RateLimitPartition.GetTokenBucketLimiter("key:" + caller.KeyId, _ => Bucket(http.RequestsPerSecond, http.RequestBurst));
                }

                var address = context.Connection.RemoteIpAddress?.ToString() ?? "";
                return http.AnonymousRequestsPerSecond <= 0
                    ? RateLimitPartition.GetNoLimiter("anonymous")
                    : RateLimitPartition.GetTokenBucketLimiter("address:" + address, _ => Bucket(http.AnonymousRequestsPerSecond, http.AnonymousRequestBurst));
            });
            o.OnRejected = async (rejected, _) =>
            {
                metrics.HttpRefused("rate-limited");
                if (rejected.Lease.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter))
                {
                    rejected.HttpContext.Response.Headers.RetryAfter = Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture);
                }

                await Problems.Of(StatusCodes.Status429TooManyRequests, "rate-limited", "too many requests for this key; slow down").ExecuteAsync(rejected.HttpContext);
            };
        });
        return services;
    }

    private static AuthorizationPolicy Rule() => new AuthorizationPolicyBuilder()
        .AddRequirements(new AccessRequirement())
        .Build();

    private static TokenBucketRateLimiterOptions Bucket(int perSecond, int burst) => new()
    {
        TokenLimit = burst,
        TokensPerPeriod = perSecond,
        ReplenishmentPeriod = TimeSpan.FromSeconds(1),
        QueueLimit = 0,
        AutoReplenishment = true,
    };

    /// <summary>Authentication, then the rate limits (which know the key), then authorization.</summary>
    public static WebApplication UseBrainSecurity(this WebApplication app)
    {
        app.UseAuthentication();
        app.UseRateLimiter();
        app.UseAuthorization();
        return app;
    }
}
