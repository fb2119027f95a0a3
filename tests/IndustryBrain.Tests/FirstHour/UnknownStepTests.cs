using System.Text.Json;
using IndustryBrain.Tests.EndToEnd;
using IndustryBrain.Tests.Infrastructure;
using static IndustryBrain.Tests.EndToEnd.Contract;

namespace IndustryBrain.Tests.FirstHour;

/// <summary>
/// A count for a step that is not on a planned order's routing: kept (nothing is dropped), weighing nothing,
/// and the terminal is told once per step with the reason unknown-step, on its reject topic and in the reject log.
/// </summary>
[Collection(ValidationSilo.Name)]
public sealed class UnknownStepTests(SharedBrain brain)
{
    [Fact]
    public async Task A_count_for_a_step_off_the_routing_is_kept_and_the_terminal_is_told_once()
    {
        var enterprise = NewEnterprise("offroute");
        await Register(brain, enterprise);
        await PlanOrder(brain, enterprise, "QF-1", 1000, DateTimeOffset.UtcNow.AddDays(5), "blank", "pack");
        await using var terminal = await MqttTerminal.Connect(brain.MqttPort, enterprise, "T1");
        await terminal.Subscribe(terminal.RejectTopic);

        // Taken at the broker (the PUBACK is a success: the count is kept) ...
        await terminal.Count(Reading("QF-1", "rough-grind", 1, 40));
        var reply = JsonDocument.Parse((await terminal.Next(terminal.RejectTopic)).Payload).RootElement;
        Assert.Equal("unknown-step", reply.GetProperty("reason").GetString());
        Assert.Equal(1, reply.GetProperty("seq").GetInt64());
        Assert.Equal("step 'rough-grind' is not on the routing of order QF-1 (blank, pack); the count is kept and weighs nothing until the routing has it",
            reply.GetProperty("detail").GetString());

        // ... and counted: shown without a name, weighing nothing, so the order's progress does not move.
        var order = await brain.Until(OrderPath(enterprise, "QF-1"), Shows(("rough-grind", 40, 0)), "rough-grind 40");
        var step = order.GetProperty("steps").EnumerateArray().Single(s => s.GetProperty("step").GetString() == "rough-grind");
        Assert.Equal(JsonValueKind.Null, step.GetProperty("name").ValueKind);
        Assert.Equal(0, step.GetProperty("weight").GetDouble());
        Assert.Equal(0, order.GetProperty("progress").GetDouble());

        // The same terminal counting on at the same step is not told again; another wrong step is.
        await terminal.Count(Reading("QF-1", "rough-grind", 2, 80));
        await terminal.Count(Reading("QF-1", "blank", 3, 100));
        await terminal.Count(Reading("QF-1", "polish", 4, 10));
        var next = JsonDocument.Parse((await terminal.Next(terminal.RejectTopic)).Payload).RootElement;
        Assert.Equal(4, next.GetProperty("seq").GetInt64());
        Assert.StartsWith("step 'polish' ", next.GetProperty("detail").GetString(), StringComparison.Ordinal);
        var log = await brain.Until($"api/rejects?enterprise={enterprise}", r => r.GetArrayLength() == 2, "two unknown-step entries");
        Assert.All(log.EnumerateArray(), r => Assert.Equal("unknown-step", r.GetProperty("reason").GetString()));
        await brain.Until(OrderPath(enterprise, "QF-1"), Shows(("blank", 100, 0), ("rough-grind", 80, 0), ("polish", 10, 0)), "every count kept");

        // A plan that gains the step counts what was kept; a terminal still counting a step the new plan lacks is told again.
        await PlanOrder(brain, enterprise, "QF-1", 1000, DateTimeOffset.UtcNow.AddDays(5), "blank", "rough-grind", "pack");
        order = await brain.Get(OrderPath(enterprise, "QF-1"));
        Assert.Equal("rough-grind", order.GetProperty("steps")[1].GetProperty("step").GetString());
        Assert.Equal(80, order.GetProperty("steps")[1].GetProperty("good").GetInt64());
        Assert.Equal(1, order.GetProperty("steps")[1].GetProperty("weight").GetDouble());
        Assert.True(order.GetProperty("progress").GetDouble() > 0);
        await terminal.Count(Reading("QF-1", "polish", 5, 20));
        Assert.StartsWith("step 'polish' is not on the routing of order QF-1 (blank, rough-grind, pack)",
            JsonDocument.Parse((await terminal.Next(terminal.RejectTopic)).Payload).RootElement.GetProperty("detail").GetString(), StringComparison.Ordinal);

        var metrics = await brain.Http.GetStringAsync("metrics");
        Assert.Contains("reason=\"unknown-step\"", metrics, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Readings_for_an_order_not_planned_yet_tell_nobody()
    {
        var enterprise = NewEnterprise("early");
        await Register(brain, enterprise);
        await using var terminal = await MqttTerminal.Connect(brain.MqttPort, enterprise, "T1");
        await terminal.Subscribe(terminal.RejectTopic);
        await terminal.Count(Reading("QF-2", "rough-grind", 1, 40));
        await brain.Until(OrderPath(enterprise, "QF-2"), Shows(("rough-grind", 40, 0)), "the early count kept");

        // A refusal that does come proves the reject topic works; nothing came before it.
        await terminal.Count(Reading("QF-2", "rough-grind", 2, 30));
        var reply = JsonDocument.Parse((await terminal.Next(terminal.RejectTopic)).Payload).RootElement;
        Assert.Equal("counter-decreased", reply.GetProperty("reason").GetString());
    }
}
