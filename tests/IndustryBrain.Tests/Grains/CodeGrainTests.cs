using IndustryBrain.Codes;
using IndustryBrain.Contracts;
using IndustryBrain.Domain;

namespace IndustryBrain.Tests.Grains;

/// <summary>The identifier node's grains on the fake clock: scans counted where they belong, kept across deactivation, rolled up by day.</summary>
[Collection(BrainClusterCollection.Name)]
public sealed class CodeGrainTests(BrainCluster brain)
{
    private static readonly DistrictCalendar Calendar = DistrictCalendar.For("Asia/Shanghai");
    private static readonly CodeLimits Limits = new(10_000_000, 1_000_000_000);
    private readonly string _enterprise = "c-" + Guid.NewGuid().ToString("N")[..12];

    private async Task<ICodePrefixGrain> ApprovedPrefix()
    {
        await brain.Grains.GetGrain<IEnterpriseGrain>(_enterprise).Register(new EnterpriseProfile("重庆巧锋刀具有限公司", "91500111MA5U3Q7X1D", "knives", "龙水", "A"));
        var prefix = await brain.Grains.GetGrain<ICodeRegistryGrain>(Keys.District).PrefixFor(_enterprise);
        var grain = brain.Grains.GetGrain<ICodePrefixGrain>(prefix);
        await grain.Apply(_enterprise);
        Assert.Equal(PrefixStates.Approved, (await grain.Decide("approve", null)).View!.State);
        return grain;
    }

    private static CodeRequest Knives(string order, long quantity) =>
        new(order, quantity, "knives", 1, "slaughter knife 8in", new() { ["bladeSteel"] = "5Cr15MoV", ["bladeLength"] = "200" }, null, null);

    [Fact]
    public async Task Scans_are_kept_by_the_order_s_grain_only_for_scanned_codes_and_survive_its_deactivation()
    {
        var prefix = await ApprovedPrefix();
        var range = (await prefix.Allocate(Knives("QF-1", 1_000_000), CodeTemplates.Knives, Limits)).Range!;
        Assert.Equal((1L, 1_000_000L), (range.First, range.Last));
        var batch = brain.Grains.GetGrain<ICodeBatchGrain>(CodeKeys.Batch(prefix.GetPrimaryKeyString(), "QF-1"));

        var first = await batch.Scan(777, codeMatches: true, "大足", warnAfter: 2);
        await brain.Advance(TimeSpan.FromMinutes(5));
        var second = await batch.Scan(777, codeMatches: true, null, warnAfter: 2);
        Assert.Equal((1L, 2L), (first.Scans!.Count, second.Scans!.Count));
        Assert.Equal(first.Scans.First, second.Scans.First);
        Assert.Equal(brain.Now, second.Scans.Last.At);
        Assert.Null((await batch.Resolve(778, 2)).Scans);

        await brain.Deactivate(batch);
        var third = await batch.Scan(777, codeMatches: true, null, warnAfter: 2);
        Assert.Equal((3L, true), (third.Scans!.Count, third.Warn));
        Assert.Equal(new ScanEntry(first.Scans.First.At, "大足"), third.Scans.First);
    }

    [Fact]
    public async Task An_order_s_ranges_keep_their_description_from_the_prefix_s_catalogue_across_deactivation()
    {
        var prefix = await ApprovedPrefix();
        var first = (await prefix.Allocate(Knives("QF-3", 10), CodeTemplates.Knives, Limits)).Range!;
        await prefix.Allocate(Knives("QF-4", 5), CodeTemplates.Knives, Limits);
        var batch = brain.Grains.GetGrain<ICodeBatchGrain>(CodeKeys.Batch(prefix.GetPrimaryKeyString(), "QF-3"));

        // The order's grain activates inside the prefix's allocation and asks the prefix for its descriptions.
        await brain.Deactivate(batch);
        var other = Knives("QF-3", 20) with { Attributes = new() { ["bladeSteel"] = "3Cr13", ["bladeLength"] = "180" }, ProductionDate = new DateOnly(2026, 12, 1) };
        var second = (await prefix.Allocate(other, CodeTemplates.Knives, Limits)).Range!;
        Assert.Equal((11L, 30L, "3Cr13", new DateOnly(2026, 12, 1)), (second.First, second.Last, second.Attributes["bladeSteel"], second.ProductionDate));

        await brain.Deactivate(batch);
        await brain.Deactivate(prefix);
        var kept = await batch.Ranges();
        Assert.Equal(2, kept.Length);
        Assert.Equal(Describe(first), Describe(kept[0]));
        Assert.Equal(Describe(second), Describe(kept[1]));
        Assert.Equal((3, 35L), ((await prefix.Get())!.Ranges, (await prefix.Get())!.CodesAssigned));
        Assert.Equal(["QF-3", "QF-4"], await prefix.Orders());
    }

    private static string Describe(CodeRange range) =>
        $"{range with { Attributes = [] }} {string.Join(",", range.Attributes.OrderBy(a => a.Key).Select(a => $"{a.Key}={a.Value}"))}";

    [Fact]
    public async Task Suspect_scans_roll_up_per_district_day_to_the_prefix_and_the_cockpit()
    {
        var prefix = await ApprovedPrefix();
        await prefix.Allocate(Knives("QF-2", 10), CodeTemplates.Knives, Limits);
        var batch = brain.Grains.GetGrain<ICodeBatchGrain>(CodeKeys.Batch(prefix.GetPrimaryKeyString(), "QF-2"));
        await batch.Scan(1, codeMatches: true, null, 5);
        Assert.Equal(NotIssuedReasons.WrongCode, (await batch.Scan(2, codeMatches: false, null, 5)).Reason);
        Assert.Equal(NotIssuedReasons.NoSuchRange, (await batch.Scan(11, codeMatches: true, null, 5)).Reason);
        var nowhere = brain.Grains.GetGrain<ICodeBatchGrain>(CodeKeys.Batch(prefix.GetPrimaryKeyString(), "NO-SUCH-ORDER"));
        Assert.Equal(NotIssuedReasons.NoSuchRange, (await nowhere.Scan(1, codeMatches: true, null, 5)).Reason);

        await brain.Advance(TimeSpan.FromSeconds(1)); // the order grains' flush, then the prefix's
        var today = Calendar.DateOf(brain.Now);
        var days = await BrainCluster.Until(prefix.ScanDays, d => d.Any(x => x.Date == today && x.Scans == 4), "the scans counted on the prefix");
        Assert.Equal(3, days.Single(d => d.Date == today).Suspect);
        await brain.Advance(TimeSpan.FromSeconds(1));
        var cockpit = await BrainCluster.Until(brain.Grains.GetGrain<IDistrictGrain>(Keys.District).GetCockpit,
            c => c.Alerts.Any(a => a.Enterprise == _enterprise), "the counterfeit alert");
        var alert = Assert.Single(cockpit.Alerts, a => a.Enterprise == _enterprise);
        Assert.Equal((AlertKinds.CounterfeitScans, 3L, 4L, "重庆巧锋刀具有限公司"), (alert.Kind, alert.Suspect, alert.Scans, alert.EnterpriseName));

        // The next district day starts from nothing: yesterday's alert is gone.
        await brain.Advance(TimeSpan.FromDays(1));
        await batch.Scan(1, codeMatches: true, null, 5);
        await brain.Advance(TimeSpan.FromSeconds(1));
        var tomorrow = Calendar.DateOf(brain.Now);
        await BrainCluster.Until(prefix.ScanDays, d => d.Any(x => x.Date == tomorrow && x.Scans == 1 && x.Suspect == 0), "the next day's scan");
        Assert.DoesNotContain((await brain.Grains.GetGrain<IDistrictGrain>(Keys.District).GetCockpit()).Alerts, a => a.Enterprise == _enterprise);
    }
}
