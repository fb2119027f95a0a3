using System.Text.Json;
using IndustryBrain.Contracts;
using IndustryBrain.Silo.Codes;
using IndustryBrain.Silo.Storage;

namespace IndustryBrain.Tests.Codes;

/// <summary>A prefix keeps its product catalogue and counts its orders' ranges and codes; the ranges are the orders' grains' own.</summary>
public sealed class CodePrefixStateTests
{
    private static readonly DateTimeOffset Noon = new(2026, 12, 1, 4, 0, 0, TimeSpan.Zero);

    private static CodeRange Range(string order, long first, long last) =>
        new("88.118.5.7", order, first, last, "knives", 1, "slaughter knife 8in", new() { ["bladeSteel"] = "5Cr15MoV" }, null, null, Noon);

    [Fact]
    public void Each_order_is_kept_once_in_the_order_first_allocated_with_the_ranges_and_codes_counted()
    {
        var state = new CodePrefixState();
        state.Count("QF-2611-0042", 18_225);
        state.Count("QF-2611-0043", 500);
        state.Count("QF-2611-0042", 1_000);

        Assert.Equal(["QF-2611-0042", "QF-2611-0043"], state.Orders);
        Assert.Equal(3, state.RangeCount);
        Assert.Equal(19_725, state.CodeCount);
    }

    [Fact]
    public void The_catalogue_keeps_each_description_once_comparing_attributes_by_content()
    {
        var state = new CodePrefixState();
        CodeProduct Knife(string steel, string? gtin = null) =>
            new("knives", 1, "slaughter knife 8in", new() { ["bladeSteel"] = steel, ["bladeLength"] = "200" }, gtin);

        Assert.Equal((0, true), state.Catalogue(Knife("5Cr15MoV")));
        Assert.Equal((0, false), state.Catalogue(Knife("5Cr15MoV")));             // another dictionary, the same content
        Assert.Equal((1, true), state.Catalogue(Knife("3Cr13")));
        Assert.Equal((2, true), state.Catalogue(Knife("5Cr15MoV", "06901234567892")));
        Assert.Equal((3, true), state.Catalogue(Knife("5Cr15MoV") with { TemplateVersion = 2 }));
        Assert.Equal((4, true), state.Catalogue(new CodeProduct("knives", 1, "slaughter knife 8in", new() { ["bladeSteel"] = "5Cr15MoV" }, null)));
        Assert.Equal(5, state.Products.Count);
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
        Assert.Equal(["QF-1", "QF-2"], state.Orders);
        Assert.Equal((3, 20_100L), (state.RangeCount, state.CodeCount));
        Assert.Null(state.Ranges);
        Assert.DoesNotContain("\"ranges\":[", JsonSerializer.Serialize(state, StateJson.Options)); // the list, not a count
        Assert.False(state.FoldRanges()); // folded once
        Assert.Equal(3, state.RangeCount);
    }
}
