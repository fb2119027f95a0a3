using IndustryBrain.Contracts;

namespace IndustryBrain.Domain;

/// <summary>
/// The lists' paging convention: <c>limit</c> (default 100, at most 1,000) and <c>cursor</c>, which is the
/// <c>next</c> of the previous page (opaque to callers; here the last item's id, <c>enterprise/order</c> for
/// orders). Items come in a stable order (by id), so a page after a cursor never repeats or skips an item that
/// was there throughout.
/// </summary>
public static class Paging
{
    public const int DefaultLimit = 100;
    public const int MaxLimit = 1000;

    public static string? LimitProblem(int? limit) =>
        limit is null or (>= 1 and <= MaxLimit) ? null : $"limit must be between 1 and {MaxLimit}";

    /// <summary>An enterprise list's cursor: an enterprise id.</summary>
    public static string? EnterpriseCursorProblem(string? cursor) =>
        cursor is null || Ids.IsValid(cursor) ? null : "cursor is not one this API gave (use the next of the previous page)";

    /// <summary>An order list's cursor: "enterprise/order".</summary>
    public static bool TryOrderCursor(string? cursor, out string? enterprise, out string? order)
    {
        enterprise = order = null;
        if (cursor is null)
        {
            return true;
        }

        var slash = cursor.IndexOf('/');
        if (slash <= 0 || !Ids.IsValid(cursor.AsSpan(0, slash)) || !Ids.IsValid(cursor.AsSpan(slash + 1)))
        {
            return false;
        }

        (enterprise, order) = (cursor[..slash], cursor[(slash + 1)..]);
        return true;
    }

    public static string OrderCursor(OrderListing last) => $"{last.Enterprise}/{last.Order}";

    /// <summary>
    /// One enterprise's part of an order page: its orders in the status asked for (any when null), by order
    /// id, after <paramref name="afterOrder"/> when the cursor stopped inside this enterprise.
    /// </summary>
    public static IEnumerable<OrderListing> OrdersOf(OrderHolder holder, IEnumerable<OrderSummary> orders, string? status, string? afterOrder) =>
        orders
            .Where(o => status is null || o.Status == status)
            .Where(o => afterOrder is null || string.CompareOrdinal(o.Order, afterOrder) > 0)
            .OrderBy(o => o.Order, StringComparer.Ordinal)
            .Select(o => new OrderListing(holder.Enterprise, holder.Name, o.Order, o.Status, o.Product, o.Quantity, o.Progress, o.Completed, o.Due, o.Eta));
}
