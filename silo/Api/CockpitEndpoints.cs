using IndustryBrain.Contracts;
using IndustryBrain.Domain;
using IndustryBrain.Silo.Cockpit;
using IndustryBrain.Silo.Hosting;
using IndustryBrain.Silo.Security;
using Microsoft.Extensions.FileProviders;

namespace IndustryBrain.Silo.Api;

/// <summary>The body of PUT /api/cockpit/daily.</summary>
public sealed record RecordedHistory(DailyOutput[]? Days);

/// <summary>The district cockpit: its view, its stream, its chain map and its page (docs/contract.md, "Cockpit").</summary>
public static class CockpitEndpoints
{
    public static void MapCockpit(this IEndpointRouteBuilder app)
    {
        var cockpit = app.MapGroup("/api/cockpit").WithTags("Cockpit");

        cockpit.MapGet("", async (IGrainFactory grains, ArchivedTrend trend) =>
        {
            var view = await grains.GetGrain<IDistrictGrain>(Keys.District).GetCockpit();
            return Results.Json(CockpitDocument.From(view, trend.For(view)), CockpitDocument.Json);
        })
        .WithSummary("The district view: totals, chain map, orders by status, procurement, alerts and the last 30 days (past days from the history archive: dailySource, dailyNote)")
        .Produces<CockpitView>();

        // EventSource cannot send headers, so a browser passes its key as ?access_token=; the auth layer reads it.
        cockpit.MapGet("/stream", (CockpitFeed feed, HttpContext context, IHostApplicationLifetime lifetime, KeyWatch keys) =>
        {
            context.Response.Headers.CacheControl = "no-cache";
            context.Response.Headers["X-Accel-Buffering"] = "no";
            if (HeadRequests.IsHead(context))
            {
                context.Response.ContentType = "text/event-stream";
                return Results.Ok();
            }

            // A stopping silo ends its streams at once (the browsers reconnect to it or another silo) rather than
            // holding the shutdown until its timeout; a revoked key's streams end within Auth:CacheSeconds.
            var stopping = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, lifetime.ApplicationStopping);
            context.Response.RegisterForDispose(stopping);
            var ends = keys.Watch(BearerKeyHandler.CallerOf(context), stopping.Token);
            context.Response.RegisterForDispose(ends);
            return (IResult)TypedResults.ServerSentEvents(feed.Stream(ends.Token));
        })
        .WithSummary("The district view as Server-Sent Events: each change (at most about two a second) and a heartbeat event");

        cockpit.MapPut("/daily", async (HttpRequest request, IGrainFactory grains, DistrictCalendar calendar, TimeProvider time) =>
        {
            var (body, problem) = await JsonBody.Read<RecordedHistory>(request, CockpitDocument.Json);
            if (problem is not null)
            {
                return problem;
            }

            var today = calendar.DateOf(time.GetUtcNow());
            if (body!.Days is not { Length: > 0 and <= DistrictTally.MaxRecordedDays } days)
            {
                return Problems.BadRequest("invalid-field", $"days must hold 1 to {DistrictTally.MaxRecordedDays} days");
            }

            if (days.Any(d => d is null || d.Date >= today || d.Units < 0 || d.Value < 0))
            {
                return Problems.BadRequest("invalid-field", "each day needs a date before today and units and value not below 0");
            }

            await grains.GetGrain<IDistrictGrain>(Keys.District).RecordHistory(days);
            return Results.NoContent();
        })
        .WithSummary("Record district output of past days counted outside the brain (administrators); added to the 30-day history")
        .Accepts<RecordedHistory>("application/json")
        .Produces(StatusCodes.Status204NoContent)
        .ProducesProblem(StatusCodes.Status400BadRequest);

        cockpit.MapGet("/chain", async (IGrainFactory grains) => Results.Ok(await grains.GetGrain<IDistrictGrain>(Keys.District).GetChain()))
        .WithSummary("The chain map the cockpit draws")
        .Produces<ChainMap>();

        cockpit.MapPut("/chain", async (HttpRequest request, IGrainFactory grains) =>
        {
            var (map, problem) = await JsonBody.Read<ChainMap>(request, CockpitDocument.Json);
            if (problem is not null)
            {
                return problem;
            }

            if (ChainMaps.Problem(map) is { } bad)
            {
                return Problems.BadRequest("invalid-field", bad);
            }

            return Results.Ok(await grains.GetGrain<IDistrictGrain>(Keys.District).SetChain(map));
        })
        .WithSummary("Replace the chain map (administrators): nodes with id, name, nameEn and stage; edges from and to")
        .Accepts<ChainMap>("application/json")
        .Produces<ChainMap>()
        .ProducesProblem(StatusCodes.Status400BadRequest);

        cockpit.MapDelete("/chain", async (IGrainFactory grains) => Results.Ok(await grains.GetGrain<IDistrictGrain>(Keys.District).SetChain(null)))
        .WithSummary("Go back to the configured chain map (District:ChainMap, or the default hardware chain)")
        .Produces<ChainMap>();
    }

    /// <summary>The cockpit page at /, from the wwwroot folder beside the silo's binaries.</summary>
    public static void UseCockpitPage(this WebApplication app)
    {
        var root = Path.Combine(AppContext.BaseDirectory, "wwwroot");
        if (!Directory.Exists(root))
        {
            app.Logger.LogWarning("No cockpit page: {Root} is missing (build the silo with Node.js and npm on the PATH)", root);
            return;
        }

        var files = new PhysicalFileProvider(root);
        app.UseDefaultFiles(new DefaultFilesOptions { FileProvider = files });
        app.UseStaticFiles(new StaticFileOptions
        {
            FileProvider = files,
            OnPrepareResponse = context =>
            {
                // The page and its scripts change with each build; ECharts only with its version.
                context.Context.Response.Headers.CacheControl = context.File.Name.StartsWith("echarts", StringComparison.Ordinal)
                    ? "public, max-age=86400"
                    : "no-cache";
            },
        });
    }
}
