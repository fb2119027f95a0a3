using IndustryBrain.Contracts;
using IndustryBrain.Domain;
using IndustryBrain.Silo.Board;
using IndustryBrain.Silo.Cockpit;
using IndustryBrain.Silo.Hosting;
using IndustryBrain.Silo.Security;

namespace IndustryBrain.Silo.Api;

/// <summary>A firm's dispatch board (数字指控调度中心): its view, its stream, its shift calendar and its page (docs/board.md).</summary>
public static class BoardEndpoints
{
    public static void MapBoard(this IEndpointRouteBuilder app)
    {
        var firms = app.MapGroup("/api/enterprises").WithTags("Dispatch board");

        firms.MapGet("/{enterprise}/board", async (string enterprise, IGrainFactory grains) =>
        {
            if (await Unknown(enterprise, grains) is { } problem)
            {
                return problem;
            }

            return Results.Json(await grains.GetGrain<IBoardGrain>(enterprise).GetBoard(-1), CockpitDocument.Json);
        })
        .WithSummary("The firm's dispatch board: active orders with steps, bottleneck and OEE; terminals by step; output; sales")
        .Produces<BoardView>()
        .ProducesProblem(StatusCodes.Status404NotFound);

        // EventSource cannot send headers, so a browser passes its key as ?access_token=; the auth layer reads it.
        firms.MapGet("/{enterprise}/board/stream", async (string enterprise, BoardFeed feed, IGrainFactory grains, HttpContext context,
            IHostApplicationLifetime lifetime, KeyWatch keys) =>
        {
            if (await Unknown(enterprise, grains) is { } problem)
            {
                return problem;
            }

            context.Response.Headers.CacheControl = "no-cache";
            context.Response.Headers["X-Accel-Buffering"] = "no";
            if (HeadRequests.IsHead(context))
            {
                context.Response.ContentType = "text/event-stream";
                return Results.Ok();
            }

            var stopping = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, lifetime.ApplicationStopping);
            context.Response.RegisterForDispose(stopping);
            var ends = keys.Watch(BearerKeyHandler.CallerOf(context), stopping.Token);
            context.Response.RegisterForDispose(ends);
            return (IResult)TypedResults.ServerSentEvents(feed.Stream(enterprise, ends.Token));
        })
        .WithSummary("The firm's dispatch board as Server-Sent Events: each change (at most about five a second) and a heartbeat event");

        firms.MapGet("/{enterprise}/shifts", async (string enterprise, IGrainFactory grains) =>
        {
            if (await Unknown(enterprise, grains) is { } problem)
            {
                return problem;
            }

            return Results.Ok((await grains.GetGrain<IBoardGrain>(enterprise).GetBoard(-1))!.Shifts);
        })
        .WithSummary("The firm's shift calendar (planned busy time for availability)")
        .Produces<ShiftCalendar>();

        firms.MapPut("/{enterprise}/shifts", async (string enterprise, HttpRequest request, IGrainFactory grains) =>
        {
            if (await Unknown(enterprise, grains) is { } problem)
            {
                return problem;
            }

            var (shifts, bad) = await JsonBody.Read<ShiftCalendar>(request, CockpitDocument.Json);
            if (bad is not null)
            {
                return bad;
            }

            if (ShiftTimes.Problem(shifts) is { } why)
            {
                return Problems.BadRequest("invalid-field", why);
            }

            return Results.Ok(await grains.GetGrain<IBoardGrain>(enterprise).SetShifts(shifts!));
        })
        .WithSummary("Set the firm's shift calendar: shifts with start and end as local HH:mm (an end not after the start ends the next day) and optional days")
        .Accepts<ShiftCalendar>("application/json")
        .Produces<ShiftCalendar>()
        .ProducesProblem(StatusCodes.Status400BadRequest);
    }

    /// <summary>The board page at /board/{enterprise}: board.html from wwwroot, whatever the firm (the page reads it from its address).</summary>
    public static void MapBoardPage(this IEndpointRouteBuilder app)
    {
        var page = Path.Combine(AppContext.BaseDirectory, "wwwroot", "board.html");
        app.MapGet("/board/{enterprise}", (string enterprise, HttpContext context) =>
        {
            if (Ids.Problem(enterprise, "enterprise") is { } badId)
            {
                return Problems.BadRequest("invalid-id", badId);
            }

            if (!File.Exists(page))
            {
                return Problems.NotFound("not-found", "the board page was not built (build the silo with Node.js and npm on the PATH)");
            }

            context.Response.Headers.CacheControl = "no-cache";
            return Results.File(page, "text/html; charset=utf-8");
        })
        .ExcludeFromDescription();
    }

    private static async Task<IResult?> Unknown(string enterprise, IGrainFactory grains)
    {
        if (Ids.Problem(enterprise, "enterprise") is { } badId)
        {
            return Problems.BadRequest("invalid-id", badId);
        }

        return await grains.GetGrain<IEnterpriseGrain>(enterprise).IsRegistered()
            ? null
            : Problems.NotFound("unknown-enterprise", $"enterprise '{enterprise}' is not registered");
    }
}
