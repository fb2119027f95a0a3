using IndustryBrain.Contracts;
using IndustryBrain.Domain;

namespace IndustryBrain.Tests.Cockpit;

public sealed class ChainOeeTests
{
    private static readonly DistrictCalendar Shanghai = DistrictCalendar.For("Asia/Shanghai");
    private static readonly DateTimeOffset Evening = new(2026, 11, 22, 14, 0, 0, TimeSpan.Zero);
    private static readonly DateOnly Nov22 = new(2026, 11, 22);

    private static readonly ChainMap Map = new("测试链", "Test chain",
        [new("steel", "钢材", "Steel", ChainStages.Upstream), new("knives", "刀具", "Knives", ChainStages.Midstream), new("locks", "锁具", "Locks", ChainStages.Midstream)],
        [new("steel", "knives"), new("steel", "locks")]);

    private static EnterpriseRollup Rollup(string enterprise, string? chainNode) =>
        new(enterprise, enterprise + " 有限公司", chainNode, true, [], StatusCounts.Zero, null, [], 0, 0, [], Evening);

    [Fact]
    public void A_links_oee_is_made_of_its_firms_sums_not_an_average_of_their_oee()
    {
        var tally = new DistrictTally();
        tally.Apply(Rollup("qiaofeng", "knives"));
        tally.Apply(Rollup("zhangxiaoquan", "knives"));
        tally.Apply(Rollup("guan", "locks"));
        tally.Apply(Rollup("nowhere", null));

        // Qiaofeng: 8 h planned, 6 h running, 5 h of ideal time, 950 good of 1,000 (OEE 0.75 x 0.8333 x 0.95).
        // Zhang: 2 h planned, 2 h running, 1 h ideal, all 100 good (OEE 1 x 0.5 x 1).
        FirmOee[] firms =
        [
            new("qiaofeng", Nov22, new OeeFigures(8 * 3600, 6 * 3600, 5 * 3600, 950, 50), Evening),
            new("zhangxiaoquan", Nov22, new OeeFigures(2 * 3600, 2 * 3600, 1 * 3600, 100, 0), Evening),
            new("guan", Nov22.AddDays(-1), new OeeFigures(3600, 3600, 3600, 10, 0), Evening), // yesterday's: not today's OEE
            new("nowhere", Nov22, new OeeFigures(3600, 3600, 3600, 10, 0), Evening),          // on no link
            new("unregistered", Nov22, new OeeFigures(3600, 3600, 3600, 10, 0), Evening),
        ];

        var view = ChainOee.Add(tally.View(Evening, Shanghai, Map, 1), firms, tally.Enterprises, Nov22);

        var knives = view.Chain.Nodes.Single(n => n.Id == "knives").Oee!;
        Assert.Equal(new OeeFigures(10 * 3600, 8 * 3600, 6 * 3600, 1050, 50), knives);
        Assert.Equal((0.8, 0.75, 0.9545), (knives.Availability, knives.Performance, knives.Quality));
        Assert.Equal(Math.Round(0.8 * 0.75 * 0.9545, 4), knives.Oee);
        Assert.Null(view.Chain.Nodes.Single(n => n.Id == "locks").Oee);
        Assert.Null(view.Chain.Nodes.Single(n => n.Id == "steel").Oee);
    }

    [Fact]
    public void Without_any_firms_oee_the_view_is_the_same()
    {
        var tally = new DistrictTally();
        tally.Apply(Rollup("qiaofeng", "knives"));
        var view = tally.View(Evening, Shanghai, Map, 1);

        Assert.Same(view, ChainOee.Add(view, [], tally.Enterprises, Nov22));
    }
}
