using System.Text.Json;
using IndustryBrain.Contracts;
using IndustryBrain.Silo.Codes;
using IndustryBrain.Silo.Storage;

namespace IndustryBrain.Tests.Codes;

/// <summary>A prefix counts its orders' ranges and codes; the ranges themselves are the orders' grains' own.</summary>
public sealed class CodePrefixStateTests
{
    private static readonly DateTimeOffset Noon = new(2026, 12, 1, 4, 0, 0, TimeSpan.Zero);

    private static CodeRange Range(string order, long first, long last) =>
        new("88.118.5.7", order, first, last, "knives", 1, "slaughter knife 8in", new() { ["bladeSteel"] = "5Cr15MoV" }, null, null, Noon);

    [Fact]
    public void Each_order_is_kept_once_with_its_ranges_and_codes_in_the_order_first_allocated()
    {
        var state = new CodePrefixState();
        state.Count("QF-2611-0042", 18_225);
        state.Count("QF-2611-0043", 500);
        state.Count("QF-2611-0042", 1_000);

        Assert.Equal(
            [new OrderCodes("QF-2611-0042", 2, 19_225), new OrderCodes("QF-2611-0043", 1, 500)],
            state.Orders);
    }

    [Fact]
    public void A_state_stored_with_every_range_is_folded_into_counts_per_order_and_stored_without_them()
    {
        var stored = JsonSerializer.Serialize(new
        {
            enterprise = "qiaofeng",
            state = PrefixStates.Approved,
            appliedAt = Noon,
            ranges = new[] { Range("QF-1", 1, 18_225), Range("QF-2", 1, 100), Range("QF-1", 18_226, 20_000) },
        }, StateJson.Options);
        var state = JsonSerializer.Deserialize<CodePrefixState>(stored, StateJson.Options)!;

        Assert.True(state.FoldRanges());
        Assert.Equal([new OrderCodes("QF-1", 2, 20_000), new OrderCodes("QF-2", 1, 100)], state.Orders);
        Assert.Null(state.Ranges);
        Assert.DoesNotContain("\"ranges\":[", JsonSerializer.Serialize(state, StateJson.Options)); // the list, not a count
        Assert.False(state.FoldRanges()); // folded once
        Assert.Equal(2, state.Orders.Count);
    }
}
