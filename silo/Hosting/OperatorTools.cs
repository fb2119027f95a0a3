using System.Threading.RateLimiting;
using IndustryBrain.Silo.Api;
using Microsoft.Extensions.Options;

namespace IndustryBrain.Silo.Hosting;

/// <summary>The Dashboard:* keys: the Orleans Dashboard at /dashboard, off unless configured, and then the administrator's alone.</summary>
public sealed class DashboardSettings
{
    /// <summary>False (the default): no /dashboard at all, and no dashboard statistics collected.</summary>
    public bool Enabled { get; set; }
}

/// <summary>The Debug:* keys: POST /debug/gc (the benchmark's full collection), the administrator's alone.</summary>
public sealed class DebugOptions
{
    /// <summary>A full blocking collection stops the silo for tens of milliseconds: at most one in this many seconds.</summary>
    public double FullGcIntervalSeconds { get; set; } = 2;
}

/// <summary>
/// The rate of POST /debug/gc: one collection, then one more per Debug:FullGcIntervalSeconds. Taken in the
/// endpoint, after the access rule, so that refused callers never use up the administrator's turn.
/// </summary>
public sealed class FullGcLimiter(IOptions<DebugOptions> options) : IDisposable
{
    private readonly TokenBucketRateLimiter _limiter = new(new TokenBucketRateLimiterOptions
    {
        TokenLimit = 1,
        TokensPerPeriod = 1,
        ReplenishmentPeriod = TimeSpan.FromSeconds(options.Value.FullGcIntervalSeconds),
        QueueLimit = 0,
        AutoReplenishment = true,
    });

    /// <summary>Null when a collection may run now; otherwise how long to wait.</summary>
    public TimeSpan? Wait()
    {
        using var lease = _limiter.AttemptAcquire();
        if (lease.IsAcquired)
        {
            return null;
        }

        return lease.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter) ? retryAfter : TimeSpan.FromSeconds(options.Value.FullGcIntervalSeconds);
    }

    public void Dispose() => _limiter.Dispose();
}

/// <summary>The operator's tools outside the API: who may reach them is the access rule's (administrators only).</summary>
public static class OperatorTools
{
    /// <summary>
    /// The Orleans Dashboard when Dashboard:Enabled, out of the OpenAPI document. A request that names what does
    /// not exist (a silo address that is not one) answers 404, not the dashboard's own 500.
    /// </summary>
    public static WebApplication MapDashboard(this WebApplication app, DashboardSettings settings)
    {
        if (!settings.Enabled)
        {
            return app;
        }

        app.UseWhen(context => context.Request.Path.StartsWithSegments("/dashboard", StringComparison.OrdinalIgnoreCase), branch => branch.Use(async (context, next) =>
        {
            try
            {
                await next(context);
            }
            catch (Exception e) when (!context.Response.HasStarted && IsBadName(e))
            {
                await Problems.NotFound("not-found", "the dashboard has nothing of that name").ExecuteAsync(context);
            }
        }));
        Orleans.Dashboard.ServiceCollectionExtensions.MapOrleansDashboard(app, routePrefix: "/dashboard").ExcludeFromDescription();
        return app;
    }

    private static bool IsBadName(Exception? e)
    {
        for (; e is not null; e = e.InnerException)
        {
            if (e is FormatException or ArgumentException)
            {
                return true;
            }
        }

        return false;
    }
}

/// <summary>
/// HEAD is a read wherever GET is (the access rule already says so): answered by the GET endpoint, without a
/// body. The request's method reads GET from here on, which is how routing finds the endpoint; Kestrel still
/// knows the request was HEAD and sends no body, whatever the endpoint writes.
/// </summary>
public static class HeadRequests
{
    private const string Item = "ib.head";

    public static WebApplication UseHeadAsGet(this WebApplication app)
    {
        app.Use((context, next) =>
        {
            if (HttpMethods.IsHead(context.Request.Method))
            {
                context.Items[Item] = true;
                context.Request.Method = HttpMethods.Get;
            }

            return next(context);
        });
        return app;
    }

    /// <summary>True when the request came as HEAD (an endpoint that streams should answer at once).</summary>
    public static bool IsHead(HttpContext context) => context.Items.ContainsKey(Item);
}
