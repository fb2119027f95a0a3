using IndustryBrain.Contracts;

namespace IndustryBrain.Codes;

/// <summary>
/// Code assignment (赋码) as serial ranges: an order's codes are numbered from 1, each request takes the next
/// N serials as one range. Nothing is stored per code.
/// </summary>
public static class SerialRanges
{
    /// <summary>The next range of an order that already has <paramref name="existing"/>, or why not (reason word, sentence).</summary>
    public static (long First, long Last, string? Reason, string? Detail) Next(IReadOnlyList<CodeRange> existing, long quantity, long maxPerRequest, long maxPerOrder)
    {
        if (quantity < 1)
        {
            return (0, 0, "invalid-quantity", "quantity must be at least 1");
        }

        if (quantity > maxPerRequest)
        {
            return (0, 0, "over-allocation", $"{quantity} codes is over the {maxPerRequest} one request may take");
        }

        var assigned = existing.Count == 0 ? 0 : existing.Max(r => r.Last);
        var limit = Math.Min(maxPerOrder, CodeName.MaxSerial);
        if (quantity > limit - assigned)
        {
            return (0, 0, "over-allocation", $"the order has {assigned} codes; {quantity} more would pass the {limit} an order may have");
        }

        return (assigned + 1, assigned + quantity, null, null);
    }

    /// <summary>The range holding <paramref name="serial"/>, or null (ranges are few per order: a scan is enough).</summary>
    public static CodeRange? Holding(IReadOnlyList<CodeRange> ranges, long serial)
    {
        foreach (var range in ranges)
        {
            if (range.Holds(serial))
            {
                return range;
            }
        }

        return null;
    }
}
