using IndustryBrain.Contracts;
using IndustryBrain.Domain;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.Options;

namespace IndustryBrain.Silo.Api;

/// <summary>The body of PUT /api/enterprises/{enterprise}.</summary>
public sealed record EnterpriseRegistration(string? Name, string? Uscc, string? ChainNode, string? Park, string? Tier, string? ShopUrl = null);

/// <summary>Enterprises and their production orders (docs/contract.md, HTTP).</summary>
public static class EnterpriseEndpoints
{
    public static void MapEnterprises(this IEndpointRouteBuilder app)
    {
        var enterprises = app.MapGroup("/api/enterprises").WithTags("Enterprises");

        enterprises.MapPut("/{enterprise}", async (string enterprise, HttpRequest request, IGrainFactory grains, IOptions<JsonOptions> json) =>
        {
            if (Ids.Problem(enterprise, "enterprise") is { } badId)
            {
                return Problems.BadRequest("invalid-id", badId);
            }

            var (body, problem) = await JsonBody.Read<EnterpriseRegistration>(request, json.Value.SerializerOptions);
            if (problem is not null)
            {
                return problem;
            }

            if (RegistrationProblem(body!) is { } bad)
            {
                return bad;
            }

            var grain = grains.GetGrain<IEnterpriseGrain>(enterprise);
            var existed = await grain.IsRegistered();
            var view = await grain.Register(new EnterpriseProfile(body!.Name!.Trim(), body.Uscc!, body.ChainNode, body.Park?.Trim(), body.Tier?.Trim(),
                string.IsNullOrWhiteSpace(body.ShopUrl) ? null : body.ShopUrl.Trim()));
            return existed ? Results.Ok(view) : Results.Created($"/api/enterprises/{enterprise}", view);
        })
        .WithSummary("Register or update an enterprise")
        .Accepts<EnterpriseRegistration>("application/json")
        .Produces<EnterpriseView>()
        .ProducesProblem(StatusCodes.Status400BadRequest);

        enterprises.MapGet("/{enterprise}", async (string enterprise, IGrainFactory grains) =>
        {
            if (Ids.Problem(enterprise, "enterprise") is { } badId)
            {
                return Problems.BadRequest("invalid-id", badId);
            }

            var view = await grains.GetGrain<IEnterpriseGrain>(enterprise).GetView();
            return view.Profile is null
                ? Problems.NotFound("unknown-enterprise", $"enterprise '{enterprise}' is not registered")
                : Results.Ok(view);
        })
        .WithSummary("An enterprise's profile, today's output, active orders and terminals")
        .Produces<EnterpriseView>()
        .ProducesProblem(StatusCodes.Status404NotFound);

        enterprises.MapGet("/{enterprise}/orders", async (string enterprise, IGrainFactory grains) =>
        {
            if (Ids.Problem(enterprise, "enterprise") is { } badId)
            {
                return Problems.BadRequest("invalid-id", badId);
            }

            var grain = grains.GetGrain<IEnterpriseGrain>(enterprise);
            var orders = await grain.ListOrders();
            return orders.Length == 0 && !await grain.IsRegistered()
                ? Problems.NotFound("unknown-enterprise", $"enterprise '{enterprise}' is not registered")
                : Results.Ok(orders);
        })
        .WithSummary("The enterprise's orders with status and progress")
        .Produces<OrderSummary[]>();

        enterprises.MapPut("/{enterprise}/orders/{order}", async (string enterprise, string order, HttpRequest request, IGrainFactory grains,
            IOptions<JsonOptions> json, TimeProvider time) =>
        {
            if ((Ids.Problem(enterprise, "enterprise") ?? Ids.Problem(order, "order")) is { } badId)
            {
                return Problems.BadRequest("invalid-id", badId);
            }

            var (plan, problem) = await JsonBody.Read<OrderPlan>(request, json.Value.SerializerOptions);
            if (problem is not null)
            {
                return problem;
            }

            if (OrderRules.PlanProblem(plan, time.GetUtcNow()) is { } bad)
            {
                return Problems.BadRequest("invalid-field", bad);
            }

            if (!await grains.GetGrain<IEnterpriseGrain>(enterprise).IsRegistered())
            {
                return Problems.NotFound("unknown-enterprise", $"enterprise '{enterprise}' is not registered");
            }

            // 201 when the order gets its first plan (readings may have come before it), 200 when a plan is replaced.
            var grain = grains.GetGrain<IProductionOrderGrain>(Keys.Order(enterprise, order));
            var planned = (await grain.GetProgress()).Product is not null;
            var progress = await grain.Plan(plan!);
            return planned ? Results.Ok(progress) : Results.Created($"/api/enterprises/{enterprise}/orders/{order}", progress);
        })
        .WithSummary("Plan an order: product, quantity, unit price, due and routing (201 for a new plan, 200 when it replaces one)")
        .Accepts<OrderPlan>("application/json")
        .Produces<OrderProgress>(StatusCodes.Status201Created)
        .Produces<OrderProgress>()
        .ProducesProblem(StatusCodes.Status400BadRequest)
        .ProducesProblem(StatusCodes.Status404NotFound);

        enterprises.MapGet("/{enterprise}/orders/{order}", async (string enterprise, string order, IGrainFactory grains) =>
        {
            if ((Ids.Problem(enterprise, "enterprise") ?? Ids.Problem(order, "order")) is { } badId)
            {
                return Problems.BadRequest("invalid-id", badId);
            }

            var progress = await grains.GetGrain<IProductionOrderGrain>(Keys.Order(enterprise, order)).GetProgress();
            return progress.Product is null && progress.Steps.Length == 0
                ? Problems.NotFound("unknown-order", $"order '{order}' of '{enterprise}' has neither a plan nor readings")
                : Results.Ok(progress);
        })
        .WithSummary("An order's progress, per step, with ETA and status")
        .Produces<OrderProgress>()
        .ProducesProblem(StatusCodes.Status404NotFound);
    }

    private static IResult? RegistrationProblem(EnterpriseRegistration body)
    {
        if (string.IsNullOrWhiteSpace(body.Name) || body.Name.Trim().Length > 200)
        {
            return Problems.BadRequest("invalid-field", "name must be 1 to 200 characters");
        }

        if (Uscc.Problem(body.Uscc) is { } uscc)
        {
            return Problems.BadRequest(uscc, uscc switch
            {
                "uscc-missing" => "uscc is missing",
                "uscc-length" => $"uscc must have {Uscc.Length} characters",
                "uscc-character" => "uscc has a character outside 0-9 and A-Y without I, O, S, V",
                _ => $"the check character of uscc '{body.Uscc}' is wrong",
            });
        }

        if (body.ChainNode is not null && Ids.Problem(body.ChainNode, "chainNode") is { } node)
        {
            return Problems.BadRequest("invalid-id", node);
        }

        if (body.Park is { Length: > 100 } || body.Tier is { Length: > 40 })
        {
            return Problems.BadRequest("invalid-field", "park is at most 100 and tier at most 40 characters");
        }

        if (!string.IsNullOrWhiteSpace(body.ShopUrl)
            && (body.ShopUrl.Trim().Length > 500 || !Uri.TryCreate(body.ShopUrl.Trim(), UriKind.Absolute, out var shop) || shop.Scheme is not ("http" or "https")))
        {
            return Problems.BadRequest("invalid-field", "shopUrl must be an http or https address of at most 500 characters");
        }

        if (Texts.Problem((body.Name, "name"), (body.Park, "park"), (body.Tier, "tier")) is { } text)
        {
            return Problems.BadRequest("invalid-field", text);
        }

        return null;
    }
}
