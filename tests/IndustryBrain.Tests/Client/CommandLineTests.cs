using IndustryBrain.Client.Commands;
using IndustryBrain.Tests.Infrastructure;

namespace IndustryBrain.Tests.Client;

[Collection(ClientSilo.Name)]
public sealed class CommandLineTests(SharedBrain fixture)
{
    private async Task<(int Exit, string Output, string Error)> Brain(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        string[] global = ["--api", fixture.Brain.BaseAddress.ToString(), "--key", fixture.Brain.AdminKey!, "--mqtt", $"mqtt://127.0.0.1:{fixture.MqttPort}/"];
        var exit = await BrainCommand.Run([.. args, .. global], output, error);
        return (exit, output.ToString(), error.ToString());
    }

    [Fact]
    public async Task A_problem_answer_is_printed_as_reason_and_detail_with_a_failing_exit_code()
    {
        var (exit, output, error) = await Brain("enterprise", "put", "cli-bad", "--name", "巧锋刀具", "--uscc", "91500111MA5U3Q7X1C");

        Assert.Equal(1, exit);
        Assert.Equal("", output);
        Assert.StartsWith("uscc-check-digit: ", error);
    }

    [Fact]
    public async Task A_planned_order_shows_its_routing_steps_in_order_with_their_counts()
    {
        Assert.Equal(0, (await Brain("enterprise", "put", "cli-qf", "--name", "重庆巧锋刀具有限公司", "--uscc", "91500111MA5U3Q7X1D", "--chain-node", "knives")).Exit);
        var put = await Brain("order", "put", "cli-qf/QF-2611-0042", "--product", "slaughter knife 8in", "--quantity", "18225",
            "--unit-price", "38.5", "--due", "2030-11-23T18:00:00+08:00", "--routing", "blank:下料,forge:锻打,pack:包装");
        Assert.Equal(0, put.Exit);

        var (exit, output, error) = await Brain("order", "show", "cli-qf/QF-2611-0042");

        Assert.Equal(0, exit);
        Assert.Equal("", error);
        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries)).ToArray();
        Assert.Equal(["cli-qf/QF-2611-0042", "slaughter", "knife", "8in", "on-track"], lines[0]);
        Assert.Equal(["step", "good", "scrap", "progress", "terminals", "name"], lines[3]);
        Assert.Equal(["blank", "0", "0", "0.0%", "0", "下料"], lines[4]);
        Assert.Equal(["forge", "0", "0", "0.0%", "0", "锻打"], lines[5]);
        Assert.Equal(["pack", "0", "0", "0.0%", "0", "包装"], lines[6]);
        Assert.Equal(7, lines.Length);
    }

    [Fact]
    public async Task Simulate_reports_what_it_sent_and_that_every_order_is_exact()
    {
        var (exit, output, error) = await Brain("simulate", "--enterprises", "1", "--terminals", "3", "--orders", "2",
            "--readings", "300", "--rate", "0", "--batch", "3", "--prefix", "cli-sim");

        Assert.Equal("", error);
        Assert.Equal(0, exit);
        Assert.Contains("  100 messages, 300 readings in ", output);
        Assert.Contains("verified: 2 orders exact", output);
    }
}
