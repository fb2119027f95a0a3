using IndustryBrain.Contracts;
using IndustryBrain.Domain;

namespace IndustryBrain.Tests.Grains;

/// <summary>The district's tick and day, advanced on the grains' clock rather than waited for.</summary>
[Collection(BrainClusterCollection.Name)]
public sealed class DistrictGrainTests(BrainCluster brain)
{
    private static readonly DistrictCalendar Calendar = DistrictCalendar.For("Asia/Shanghai");
    private readonly string _enterprise = "d-" + Guid.NewGuid().ToString("N")[..12];

    private IDistrictGrain District => brain.Grains.GetGrain<IDistrictGrain>(Keys.District);

    private IEnterpriseGrain Enterprise => brain.Grains.GetGrain<IEnterpriseGrain>(_enterprise);

    private async Task<IProductionOrderGrain> PlannedOrder(string order, DateTimeOffset due)
    {
        await Enterprise.Register(new EnterpriseProfile("重庆巧锋刀具有限公司", "91500111MA5U3Q7X1D", "knives", "龙水", "A"));
        var grain = brain.Grains.GetGrain<IProductionOrderGrain>(Keys.Order(_enterprise, order));
        await grain.Plan(new OrderPlan("slaughter knife 8in", 100, 38.5m, due, [new RoutingStep("pack", null, null)]));
        return grain;
    }

    [Fact]
    public async Task An_order_passing_its_due_time_turns_late_on_the_cockpit_with_no_reading()
    {
        await PlannedOrder("QF-due", brain.Now.AddMinutes(30));
        await brain.Advance(TimeSpan.FromSeconds(1)); // the enterprise's flush tells the district
        Assert.DoesNotContain((await District.GetCockpit()).Alerts, a => a.Enterprise == _enterprise);

        await brain.Advance(TimeSpan.FromMinutes(30));
        await brain.Advance(TimeSpan.FromSeconds(1)); // the district's tick after the due time asks the enterprise to roll up

        var late = await BrainCluster.Until(District.GetCockpit, c => c.Alerts.Any(a => a.Enterprise == _enterprise), "the order late on the cockpit");
        var alert = Assert.Single(late.Alerts, a => a.Enterprise == _enterprise);
        Assert.Equal((AlertKinds.OrderLate, "QF-due"), (alert.Kind, alert.Order));
        Assert.Equal(1, (await Enterprise.GetView()).OrdersByStatus["late"]);
    }

    [Fact]
    public async Task The_district_day_turns_at_midnight_in_Shanghai_and_today_starts_from_zero()
    {
        var before = await District.GetCockpit();
        Assert.Equal(Calendar.DateOf(brain.Now), before.Today);

        var nextMidnight = new DateTimeOffset(before.Today.AddDays(1).ToDateTime(TimeOnly.MinValue), TimeSpan.FromHours(8));
        await brain.Advance(nextMidnight - brain.Now - TimeSpan.FromSeconds(1));
        Assert.Equal(before.Today, (await District.GetCockpit()).Today);

        await brain.Advance(TimeSpan.FromSeconds(1));
        var after = await District.GetCockpit();

        Assert.Equal(before.Today.AddDays(1), after.Today);
        Assert.Equal(nextMidnight, after.AsOf);
        Assert.NotEqual(before.Version, after.Version);
    }
}
