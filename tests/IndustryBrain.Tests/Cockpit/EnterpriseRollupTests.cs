using IndustryBrain.Contracts;
using IndustryBrain.Domain;

namespace IndustryBrain.Tests.Cockpit;

public sealed class EnterpriseRollupTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 22, 8, 0, 0, TimeSpan.Zero);
    private static readonly EnterpriseProfile Qiaofeng = new("重庆桥丰五金制造有限公司", "91500111MA5U3Q7X1D", "knives", "龙水", "规上");

    private static OrderSummary Order(string order, string status, DateTimeOffset? due, long completed = 0, double progress = 0) =>
        new(order, status, "slaughter knife 8in", 1000, 38.5m, due, progress, completed, null, Now.AddMinutes(-1));

    [Fact]
    public void Statuses_are_counted_and_an_order_past_its_due_time_counts_as_late()
    {
        OrderSummary[] orders =
        [
            Order("on-track", OrderStatuses.OnTrack, Now.AddDays(1)),
            Order("overdue", OrderStatuses.OnTrack, Now.AddMinutes(-5), progress: 0.8),
            Order("risky", OrderStatuses.AtRisk, Now.AddHours(3), progress: 0.3),
            Order("done", OrderStatuses.Done, Now.AddMinutes(-5), completed: 1000),
            Order("unplanned", OrderStatuses.Unplanned, null),
        ];

        var rollup = EnterpriseRollups.Of("qiaofeng", Qiaofeng, orders, [], [], Now);

        Assert.Equal(new StatusCounts(1, 1, 1, 1, 1), rollup.Orders);
        Assert.Equal(Now.AddHours(3), rollup.NextDue);
        Assert.Equal(
            [new OrderMark("overdue", OrderStatuses.Late, Now.AddMinutes(-5), "slaughter knife 8in", 0.8), new OrderMark("risky", OrderStatuses.AtRisk, Now.AddHours(3), "slaughter knife 8in", 0.3)],
            rollup.Watch);
        Assert.Equal(("重庆桥丰五金制造有限公司", "knives", true), (rollup.Name, rollup.ChainNode, rollup.Registered));
    }

    [Fact]
    public void Terminals_that_are_not_offline_are_online_and_faults_are_named_by_terminal()
    {
        TerminalStatus[] terminals =
        [
            new("T1", TerminalStates.Running, 1, null, Now),
            new("T2", TerminalStates.Idle, 1, null, Now),
            new("T3", TerminalStates.Fault, 4, "E-17", Now.AddMinutes(-2)),
            new("T4", TerminalStates.Offline, null, null, Now),
        ];

        var rollup = EnterpriseRollups.Of("qiaofeng", Qiaofeng, [], terminals, [], Now);

        Assert.Equal((3, 1), (rollup.TerminalsOnline, rollup.TerminalsInFault));
        Assert.Equal([new FaultMark("T3", "E-17", Now.AddMinutes(-2))], rollup.Faults);
    }

    [Fact]
    public void Named_orders_and_faults_are_bounded_but_the_counts_stay_exact()
    {
        var orders = Enumerable.Range(0, 30).Select(i => Order($"L{i:00}", OrderStatuses.Late, Now.AddHours(-30 + i))).ToArray();
        var terminals = Enumerable.Range(0, 25).Select(i => new TerminalStatus($"T{i:00}", TerminalStates.Fault, 1, "E-1", Now.AddMinutes(i))).ToArray();

        var rollup = EnterpriseRollups.Of("qiaofeng", Qiaofeng, orders, terminals, [], Now);

        Assert.Equal(30, rollup.Orders.Late);
        Assert.Equal(25, rollup.TerminalsInFault);
        Assert.Equal(Enumerable.Range(0, EnterpriseRollups.MaxWatch).Select(i => $"L{i:00}"), rollup.Watch.Select(w => w.Order));
        Assert.Equal(EnterpriseRollups.MaxFaults, rollup.Faults.Length);
    }

    [Fact]
    public void The_same_figures_taken_at_another_time_are_the_same_rollup()
    {
        DailyOutput[] daily = [new(new DateOnly(2026, 11, 22), 120, 4620m)];
        var first = EnterpriseRollups.Of("qiaofeng", Qiaofeng, [Order("a", OrderStatuses.OnTrack, Now.AddDays(1))], [], daily, Now);
        var again = EnterpriseRollups.Of("qiaofeng", Qiaofeng, [Order("a", OrderStatuses.OnTrack, Now.AddDays(1))], [], [.. daily], Now.AddSeconds(1));
        var more = EnterpriseRollups.Of("qiaofeng", Qiaofeng, [Order("a", OrderStatuses.OnTrack, Now.AddDays(1))], [], [new(new DateOnly(2026, 11, 22), 121, 4658.5m)], Now);

        Assert.True(first.SameFiguresAs(again));
        Assert.False(first.SameFiguresAs(more));
    }

    [Fact]
    public void An_enterprise_known_only_from_readings_rolls_up_unregistered()
    {
        var rollup = EnterpriseRollups.Of("ghost", null, [Order("x", OrderStatuses.Unplanned, null)], [], [], Now);

        Assert.Equal((false, null, null, 1), (rollup.Registered, rollup.Name, rollup.ChainNode, rollup.Orders.Unplanned));
    }
}
