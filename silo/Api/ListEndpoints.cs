using IndustryBrain.Contracts;
using IndustryBrain.Domain;

namespace IndustryBrain.Silo.Api;

/// <summary>
/// What is there: the district's enterprises and its orders across firms, a page at a time
/// (<see cref="Paging"/>: <c>limit</c> and <c>cursor</c>), filtered by chain node and, for orders, status and firm.
/// Both read the district's roll-ups, so a firm registered a moment ago is listed at once (registration
/// rolls up before it answers) and an order shows within about a second of its plan.
/// </summary>
public static class ListEndpoints
{
    /// <summary>Enterprises asked for their orders at the same time while an order page is gathered.</summary>
    private const int EnterprisesAtOnce = 8;

    public static void MapLists(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/enterprises", async (string? chainNode, int? limit, string? cursor, IGrainFactory grains) =>
        {
            if (FilterProblem(chainNode, null, null, limit) is { } bad)
            {
                return bad;
            }

            if (Paging.EnterpriseCursorProblem(cursor) is { } badCursor)
            {
                return Problems.BadRequest("invalid-field", badCursor);
            }

            var page = await grains.GetGrain<IDistrictGrain>(Keys.District)
                .ListEnterprises(new EnterpriseQuery(chainNode, cursor, limit ?? Paging.DefaultLimit));
            return Results.Ok(page);
        })
        .WithTags("Enterprises")
        .WithSummary("The district's enterprises by id, a page at a time: ?chainNode=knives&limit=100&cursor={next of the previous page}")
        .Produces<EnterprisePage>()
        .ProducesProblem(StatusCodes.Status400BadRequest);

        app.MapGet("/api/orders", async (string? status, string? chainNode, string? enterprise, int? limit, string? cursor, IGrainFactory grains) =>
        {
            if (FilterProblem(chainNode, status, enterprise, limit) is { } bad)
            {
                return bad;
            }

            if (!Paging.TryOrderCursor(cursor, out var afterEnterprise, out var afterOrder))
            {
                return Problems.BadRequest("invalid-field", "cursor is not one this API gave (use the next of the previous page)");
            }

            var take = limit ?? Paging.DefaultLimit;
            var holders = await grains.GetGrain<IDistrictGrain>(Keys.District)
                .OrderHolders(new OrderHolderQuery(chainNode, status, enterprise, afterEnterprise));
            var items = new List<OrderListing>(take + 1);
            for (var i = 0; i < holders.Count && items.Count <= take; i += EnterprisesAtOnce)
            {
                var chunk = holders.Skip(i).Take(EnterprisesAtOnce).ToArray();
                var orders = await Task.WhenAll(chunk.Select(h => grains.GetGrain<IEnterpriseGrain>(h.Enterprise).ListOrders()));
                for (var j = 0; j < chunk.Length && items.Count <= take; j++)
                {
                    var after = chunk[j].Enterprise == afterEnterprise ? afterOrder : null;
                    items.AddRange(Paging.OrdersOf(chunk[j], orders[j], status, after).Take(take + 1 - items.Count));
                }
            }

            var more = items.Count > take;
            if (more)
            {
                items.RemoveAt(items.Count - 1);
            }

            return Results.Ok(new OrderPage([.. items], more ? Paging.OrderCursor(items[^1]) : null));
        })
        .WithTags("Orders")
        .WithSummary("The district's orders across firms, by enterprise and order id: ?status=late&chainNode=knives&enterprise=qiaofeng&limit=100&cursor=...")
        .Produces<OrderPage>()
        .ProducesProblem(StatusCodes.Status400BadRequest);
    }

    private static IResult? FilterProblem(string? chainNode, string? status, string? enterprise, int? limit)
    {
        var badId = (chainNode is null ? null : Ids.Problem(chainNode, "chainNode")) ?? (enterprise is null ? null : Ids.Problem(enterprise, "enterprise"));
        if (badId is not null)
        {
            return Problems.BadRequest("invalid-id", badId);
        }

        if (status is not null && !OrderStatuses.All.Contains(status))
        {
            return Problems.BadRequest("invalid-field", $"status must be one of {string.Join(", ", OrderStatuses.All)}");
        }

        return Paging.LimitProblem(limit) is { } badLimit ? Problems.BadRequest("invalid-field", badLimit) : null;
    }
}
