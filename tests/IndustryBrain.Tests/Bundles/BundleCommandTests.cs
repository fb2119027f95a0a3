using IndustryBrain.Client.Commands;
using IndustryBrain.Tests.Infrastructure;

namespace IndustryBrain.Tests.Bundles;

public sealed class BundleCommandTests(BundleBrain fixture) : IClassFixture<BundleBrain>
{
    private async Task<(int Code, string Output, string Error)> Brain(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var code = await BrainCommand.Run(["--api", fixture.Brain.BaseAddress.ToString(), "--key", BrainOptions.TestAdminKey, .. args], output, error);
        return (code, output.ToString(), error.ToString());
    }

    [Fact]
    public async Task The_cli_opens_a_bundle_takes_pledges_and_shows_the_tier_reached()
    {
        await BundleApiTests.Register(fixture.Http, "cli-a", 6001);
        await BundleApiTests.Register(fixture.Http, "cli-b", 6002);

        var opened = await Brain("bundle", "open", "cli-steel", "--material", "5Cr15MoV strip", "--unit", "t", "--list-price", "21000",
            "--tiers", "50:20600,200:20300", "--min-quantity", "50", "--closes-at", DateTimeOffset.UtcNow.AddDays(2).ToString("O"));
        Assert.Equal(0, opened.Code);
        Assert.Contains("cli-steel  5Cr15MoV strip  open", opened.Output);

        Assert.Equal(0, (await Brain("bundle", "pledge", "cli-steel", "cli-a", "120")).Code);
        var shown = await Brain("bundle", "pledge", "cli-steel", "cli-b", "90");
        Assert.Equal(0, shown.Code);
        Assert.Contains("total 210.00 t of minimum 50.00   tier 2 of 2 (from 200.00 t)   unit price 20,300.00 (list 21,000.00)", shown.Output);
        Assert.Contains("savings 147,000.00", shown.Output);

        var lower = await Brain("bundle", "pledge", "cli-steel", "cli-a", "10");
        Assert.Contains("total 100.00 t of minimum 50.00   tier 1 of 2 (from 50.00 t)", lower.Output);
        var below = await Brain("bundle", "pledge", "cli-steel", "cli-b", "20");
        Assert.Contains("total 30.00 t of minimum 50.00   below the first tier (50.00 t)", below.Output);

        var refused = await Brain("bundle", "pledge", "cli-steel", "cli-a", "-3");
        Assert.Equal(1, refused.Code);
        Assert.StartsWith("invalid-quantity: quantity -3 must be above 0", refused.Error);

        var badTiers = await Brain("bundle", "open", "cli-x", "--material", "m", "--unit", "t", "--list-price", "10",
            "--tiers", "fifty", "--min-quantity", "1", "--closes-at", "2030-01-01T00:00:00Z");
        Assert.Equal(1, badTiers.Code);
        Assert.StartsWith("--tiers: 'fifty' is not minQuantity:unitPrice", badTiers.Error);

        var list = await Brain("bundle", "list");
        Assert.Contains("cli-steel", list.Output);
    }
}
