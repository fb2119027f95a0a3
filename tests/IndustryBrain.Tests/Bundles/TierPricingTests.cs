using IndustryBrain.Contracts;
using IndustryBrain.Domain;

namespace IndustryBrain.Tests.Bundles;

public sealed class TierPricingTests
{
    private static readonly Tier[] SteelTiers = [new(50, 20600), new(200, 20300)];
    private static readonly DateTimeOffset Now = new(2026, 11, 22, 8, 0, 0, TimeSpan.Zero);

    [Theory]
    [InlineData(0, null, 21000)]
    [InlineData(49.999, null, 21000)]
    [InlineData(50, 0, 20600)]
    [InlineData(50.001, 0, 20600)]
    [InlineData(199.999, 0, 20600)]
    [InlineData(200, 1, 20300)]
    [InlineData(200.001, 1, 20300)]
    [InlineData(100000, 1, 20300)]
    public void The_unit_price_is_the_highest_tier_the_total_reaches_and_the_list_price_below_the_first(
        double total, int? tier, double price)
    {
        Assert.Equal(tier, TierPricing.TierReached(SteelTiers, (decimal)total));
        Assert.Equal((decimal)price, TierPricing.UnitPrice(21000, SteelTiers, (decimal)total));
    }

    [Fact]
    public void Savings_are_list_price_minus_unit_price_times_quantity()
    {
        Assert.Equal(70000m, TierPricing.Savings(21000, 20300, 100));
        Assert.Equal(112000m, TierPricing.Savings(21000, 20300, 160));
        Assert.Equal(0m, TierPricing.Savings(21000, 21000, 40));
    }

    [Fact]
    public void A_bundle_without_tiers_always_prices_at_the_list_price()
    {
        Assert.Null(TierPricing.TierReached([], 1_000));
        Assert.Equal(21000m, TierPricing.UnitPrice(21000, [], 1_000));
    }

    private static BundleTerms Terms(params Tier[] tiers) =>
        new("5Cr15MoV stainless strip 2.5mm", "t", "Baowu", 21000, tiers, 50, Now.AddDays(9));

    [Fact]
    public void Good_terms_are_accepted() => Assert.Null(TierPricing.TermsProblem(Terms(SteelTiers), Now));

    [Theory]
    [InlineData(200, 20600, 50, 20300, "tier 1's minQuantity 50 is not above tier 0's 200")]
    [InlineData(50, 20600, 50, 20300, "tier 1's minQuantity 50 is not above tier 0's 50")]
    [InlineData(50, 20300, 200, 20600, "tier 1's unitPrice 20600 is not below tier 0's 20300")]
    [InlineData(50, 21000, 200, 20300, "tier 0's unitPrice 21000 is not below the listPrice 21000")]
    [InlineData(0, 20600, 200, 20300, "tier 0 needs a minQuantity above 0 (at most 10000000) and a unitPrice above 0")]
    public void Tiers_out_of_order_are_refused_with_the_reason(double q0, double p0, double q1, double p1, string detail)
    {
        var problem = TierPricing.TermsProblem(Terms(new Tier((decimal)q0, (decimal)p0), new Tier((decimal)q1, (decimal)p1)), Now);
        Assert.Equal(("invalid-tiers", detail), problem);
    }

    [Fact]
    public void A_deadline_in_the_past_is_refused()
    {
        var problem = TierPricing.TermsProblem(Terms(SteelTiers) with { ClosesAt = Now.AddSeconds(-1) }, Now);
        Assert.Equal("closes-in-past", problem?.Reason);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-5)]
    [InlineData(10_000_001)]
    public void Non_positive_and_absurd_pledges_are_refused(double quantity) =>
        Assert.Equal("invalid-quantity", TierPricing.PledgeProblem((decimal)quantity)?.Reason);

    [Theory]
    [InlineData(0.5)]
    [InlineData(10_000_000)]
    public void Positive_pledges_up_to_the_limit_are_accepted(double quantity) =>
        Assert.Null(TierPricing.PledgeProblem((decimal)quantity));
}
