using IndustryBrain.Contracts;

namespace IndustryBrain.Tests.Grains;

/// <summary>Pooled procurement against its deadline, on the grains' clock.</summary>
[Collection(BrainClusterCollection.Name)]
public sealed class BundleGrainTests(BrainCluster brain)
{
    private readonly string _id = "b-" + Guid.NewGuid().ToString("N")[..12];
    private readonly string[] _firms = [.. Enumerable.Range(1, 2).Select(i => $"bf{i}-" + Guid.NewGuid().ToString("N")[..10])];

    private IBundleGrain Bundle => brain.Grains.GetGrain<IBundleGrain>(_id);

    private BundleTerms Terms(TimeSpan closesIn) =>
        new("steel 5Cr15MoV", "t", "重钢", 9000m, [new Tier(10, 8600m), new Tier(50, 8200m)], 10, brain.Now + closesIn);

    private async Task Register()
    {
        foreach (var firm in _firms)
        {
            await brain.Grains.GetGrain<IEnterpriseGrain>(firm).Register(new EnterpriseProfile(firm, "91500111MA5U3Q7X1D", "knives", "龙水", "A"));
        }
    }

    [Fact]
    public async Task A_bundle_stays_open_until_its_deadline_and_closes_at_the_tier_reached_with_each_firms_record()
    {
        await Register();
        Assert.Null((await Bundle.Open(Terms(TimeSpan.FromHours(2)))).Reason);
        Assert.Null((await Bundle.Pledge(_firms[0], 30)).Reason);
        Assert.Null((await Bundle.Pledge(_firms[1], 25)).Reason);

        await brain.Advance(TimeSpan.FromHours(2) - TimeSpan.FromSeconds(1));
        Assert.Equal(BundleStates.Open, (await Bundle.Get())!.State);

        await brain.Advance(TimeSpan.FromSeconds(1));
        var closed = (await Bundle.Get())!;

        Assert.Equal((BundleStates.Closed, 55m, 8200m, 2), (closed.State, closed.TotalQuantity, closed.UnitPrice, closed.Participants));
        Assert.Equal(brain.Now, closed.ClosedAt);
        Assert.Equal("bundle-closed", (await Bundle.Pledge(_firms[0], 5)).Reason);
        var record = (await BrainCluster.Until(brain.Grains.GetGrain<IEnterpriseGrain>(_firms[0]).GetView,
            v => v.Procurement.Any(r => r.Bundle == _id), "the firm's procurement record")).Procurement.Single(r => r.Bundle == _id);
        Assert.Equal((30m, 8200m, 30 * 8200m, 30 * 800m), (record.Quantity, record.UnitPrice, record.Cost, record.Savings));
    }

    [Fact]
    public async Task A_bundle_short_of_its_minimum_fails_at_its_deadline_and_nobody_is_charged()
    {
        await Register();
        await Bundle.Open(Terms(TimeSpan.FromMinutes(10)));
        await Bundle.Pledge(_firms[0], 4);

        await brain.Advance(TimeSpan.FromMinutes(10));
        var failed = (await Bundle.Get())!;

        Assert.Equal((BundleStates.Failed, 4m), (failed.State, failed.TotalQuantity));
        Assert.Equal("bundle-failed", (await Bundle.Withdraw(_firms[0])).Reason);
    }

    [Fact]
    public async Task A_deadline_that_passed_while_the_bundle_slept_closes_it_on_the_next_call()
    {
        await Register();
        await Bundle.Open(Terms(TimeSpan.FromMinutes(5)));
        await Bundle.Pledge(_firms[0], 12);
        await brain.Deactivate(Bundle);

        await brain.Advance(TimeSpan.FromMinutes(6));

        var closed = (await Bundle.Get())!;
        Assert.Equal((BundleStates.Closed, 8600m), (closed.State, closed.UnitPrice));
        Assert.Equal(brain.Now, closed.ClosedAt);
    }
}
