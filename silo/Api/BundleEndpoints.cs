using IndustryBrain.Contracts;
using IndustryBrain.Domain;
using IndustryBrain.Silo.Security;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.Options;

namespace IndustryBrain.Silo.Api;

/// <summary>The body of PUT /api/bundles/{bundle}/pledges/{enterprise}.</summary>
public sealed record PledgeRequest(decimal? Quantity);

/// <summary>Pooled-procurement bundles (拼单集采), docs/contract.md "Pooled procurement".</summary>
public static class BundleEndpoints
{
    public static void MapBundles(this IEndpointRouteBuilder app)
    {
        var bundles = app.MapGroup("/api/bundles").WithTags("Bundles");

        bundles.MapPut("/{bundle}", async (string bundle, HttpRequest request, IGrainFactory grains, IOptions<JsonOptions> json) =>
        {
            if (Ids.Problem(bundle, "bundle") is { } badId)
            {
                return Problems.BadRequest("invalid-id", badId);
            }

            var (terms, problem) = await JsonBody.Read<BundleTerms>(request, json.Value.SerializerOptions);
            if (problem is not null)
            {
                return problem;
            }

            var outcome = await grains.GetGrain<IBundleGrain>(bundle).Open(terms!);
            return outcome.View is { } view && outcome.Created ? Results.Created($"/api/bundles/{bundle}", view) : Answer(outcome);
        })
        .WithSummary("Open a pooled-procurement bundle: material, list price, volume tiers, minimum, closesAt")
        .Accepts<BundleTerms>("application/json")
        .Produces<BundleView>()
        .ProducesProblem(StatusCodes.Status400BadRequest)
        .ProducesProblem(StatusCodes.Status409Conflict);

        bundles.MapGet("/", async (IGrainFactory grains, HttpContext context) =>
                Results.Ok((await grains.GetGrain<IBundleIndexGrain>(Keys.District).List()).Select(b => PledgeVisibility.SeenBy(b, OwnPledgesOf(context)))))
            .WithSummary("Bundles, open first (soonest deadline first), then the ended ones, latest first")
            .Produces<BundleView[]>();

        bundles.MapGet("/{bundle}", async (string bundle, IGrainFactory grains, HttpContext context) =>
        {
            if (Ids.Problem(bundle, "bundle") is { } badId)
            {
                return Problems.BadRequest("invalid-id", badId);
            }

            return await grains.GetGrain<IBundleGrain>(bundle).Get() is { } view
                ? Results.Ok(PledgeVisibility.SeenBy(view, OwnPledgesOf(context)))
                : Problems.NotFound("unknown-bundle", $"no bundle '{bundle}' was opened");
        })
        .WithSummary("A bundle's state, total, tier reached, unit price and savings; every pledge for administrators and officials, its own for a firm")
        .Produces<BundleView>()
        .ProducesProblem(StatusCodes.Status404NotFound);

        bundles.MapPut("/{bundle}/pledges/{enterprise}", async (string bundle, string enterprise, HttpRequest request, IGrainFactory grains, IOptions<JsonOptions> json,
            HttpContext context) =>
        {
            if ((Ids.Problem(bundle, "bundle") ?? Ids.Problem(enterprise, "enterprise")) is { } badId)
            {
                return Problems.BadRequest("invalid-id", badId);
            }

            var (pledge, problem) = await JsonBody.Read<PledgeRequest>(request, json.Value.SerializerOptions);
            if (problem is not null)
            {
                return problem;
            }

            if (pledge!.Quantity is not { } quantity)
            {
                return Problems.BadRequest("invalid-quantity", "quantity is missing");
            }

            return Answer(await grains.GetGrain<IBundleGrain>(bundle).Pledge(enterprise, quantity), context);
        })
        .WithSummary("Pledge a quantity; a second PUT replaces it")
        .Accepts<PledgeRequest>("application/json")
        .Produces<BundleView>()
        .ProducesProblem(StatusCodes.Status400BadRequest)
        .ProducesProblem(StatusCodes.Status404NotFound)
        .ProducesProblem(StatusCodes.Status409Conflict);

        bundles.MapDelete("/{bundle}/pledges/{enterprise}", async (string bundle, string enterprise, IGrainFactory grains, HttpContext context) =>
        {
            if ((Ids.Problem(bundle, "bundle") ?? Ids.Problem(enterprise, "enterprise")) is { } badId)
            {
                return Problems.BadRequest("invalid-id", badId);
            }

            return Answer(await grains.GetGrain<IBundleGrain>(bundle).Withdraw(enterprise), context);
        })
        .WithSummary("Withdraw a pledge while the bundle is open")
        .Produces<BundleView>()
        .ProducesProblem(StatusCodes.Status404NotFound)
        .ProducesProblem(StatusCodes.Status409Conflict);

        bundles.MapPost("/{bundle}/close", async (string bundle, IGrainFactory grains) =>
            Ids.Problem(bundle, "bundle") is { } badId
                ? Problems.BadRequest("invalid-id", badId)
                : Answer(await grains.GetGrain<IBundleGrain>(bundle).Close()))
            .WithSummary("Close now, before the deadline: closed if the minimum is reached, otherwise failed")
            .Produces<BundleView>();

        bundles.MapPost("/{bundle}/cancel", async (string bundle, IGrainFactory grains) =>
            Ids.Problem(bundle, "bundle") is { } badId
                ? Problems.BadRequest("invalid-id", badId)
                : Answer(await grains.GetGrain<IBundleGrain>(bundle).Cancel()))
            .WithSummary("Cancel an open bundle (its organiser); nobody is charged")
            .Produces<BundleView>();
    }

    /// <summary>
    /// Whose pledges the caller sees (<see cref="PledgeVisibility"/>): null (all) for administrators and
    /// officials, a firm's own otherwise (nobody's for a caller that is neither).
    /// </summary>
    private static string? OwnPledgesOf(HttpContext context) => BearerKeyHandler.CallerOf(context) switch
    {
        { Role: Roles.Admin or Roles.Official } => null,
        { Role: Roles.Enterprise, Enterprise: { } own } => own,
        _ => "",
    };

    private static IResult Answer(BundleOutcome outcome, HttpContext? context = null)
    {
        if (outcome.View is { } view)
        {
            return Results.Ok(context is null ? view : PledgeVisibility.SeenBy(view, OwnPledgesOf(context)));
        }

        var reason = outcome.Reason ?? "refused";
        var status = reason switch
        {
            "unknown-bundle" or "unknown-enterprise" or "unknown-pledge" => StatusCodes.Status404NotFound,
            "bundle-exists" or "bundle-closed" or "bundle-failed" or "bundle-cancelled" => StatusCodes.Status409Conflict,
            _ => StatusCodes.Status400BadRequest,
        };
        return Problems.Of(status, reason, outcome.Detail ?? reason);
    }
}
