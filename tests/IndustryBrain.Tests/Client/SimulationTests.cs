using IndustryBrain.Client.Simulator;
using IndustryBrain.Domain;
using IndustryBrain.Tests.Infrastructure;

namespace IndustryBrain.Tests.Client;

[Collection(ClientSilo.Name)]
public sealed class SimulationTests(SharedBrain fixture)
{
    private SimulationOptions Options(string prefix) => new()
    {
        Api = fixture.Brain.BaseAddress,
        Key = fixture.Brain.AdminKey!,
        Mqtt = new Uri($"mqtt://127.0.0.1:{fixture.MqttPort}"),
        Prefix = prefix,
        VerifyTimeout = TimeSpan.FromSeconds(60),
    };

    [Fact]
    public async Task Every_step_counts_exactly_the_latest_readings_despite_duplicates_reordering_and_counter_resets()
    {
        await using var simulation = new Simulation(Options("exact") with
        {
            Enterprises = 3,
            Terminals = 8,
            Orders = 2,
            Rate = 0,
            Readings = 3_000,
            Batch = 5,
            Duplicates = 0.3,
            Reorder = true,
            Resets = 0.02,
        });

        var (report, verification) = await simulation.Run(verify: true, CancellationToken.None);

        Assert.Equal(3_000, report.Readings);
        Assert.Equal(600, report.Messages);
        Assert.Equal(24, report.Terminals);
        Assert.Equal(0, report.Refused);
        Assert.Equal(0, report.Rejects);
        Assert.True(report.DuplicateMessages > 0, "some messages were resent");
        Assert.True(report.Resets > 0, "some counters were reset");
        Assert.NotNull(verification);
        Assert.Empty(verification.Mismatches);
        Assert.Equal(6, verification.Exact);
    }

    [Fact]
    public async Task The_expected_totals_are_the_sums_over_terminals_and_runs_of_the_latest_readings()
    {
        await using var simulation = new Simulation(Options("sums") with
        {
            Enterprises = 1,
            Terminals = 4,
            Orders = 1,
            Rate = 0,
            Readings = 400,
            Resets = 0.05,
        });
        await simulation.Plan(CancellationToken.None);
        await simulation.Connect(CancellationToken.None);
        await simulation.Publish(CancellationToken.None);

        // Four terminals on one order: the first four steps of the knife routing, one terminal each.
        var order = Assert.Single(simulation.Expected());
        Assert.Equal(["blank", "forge", "heat-treat", "rough-grind"], simulation.Terminals.Select(t => t.Step));
        foreach (var terminal in simulation.Terminals)
        {
            var runs = terminal.Latest();
            Assert.Equal(runs.Sum(r => r.Good), order.Steps[terminal.Step].Good);
            Assert.Equal(runs.Sum(r => r.Scrap), order.Steps[terminal.Step].Scrap);
        }

        Assert.Equal(400, simulation.Terminals.Sum(t => t.Seq + 1));
        Assert.All(order.Steps.Where(s => s.Key is "fine-grind" or "edge" or "polish" or "laser-mark" or "qc" or "pack"),
            step => Assert.Equal(default(StepCount), step.Value));
        Assert.True((await simulation.Verify(CancellationToken.None)).IsExact);
    }
}

public sealed class ResyncTests : IAsyncLifetime
{
    private Brain _silo = null!;

    public async Task InitializeAsync() => _silo = await Brain.Start(new() { Mode = BrainMode.ChildProcess });

    public async Task DisposeAsync() => await _silo.DisposeAsync();

    [Fact]
    public async Task After_a_crash_the_new_brain_epoch_makes_terminals_resend_and_every_count_is_restored()
    {
        await using var simulation = new Simulation(new SimulationOptions
        {
            Api = _silo.BaseAddress,
            Key = _silo.AdminKey!,
            Mqtt = new Uri($"mqtt://127.0.0.1:{_silo.MqttPort}"),
            Prefix = "resync",
            Enterprises = 2,
            Terminals = 5,
            Orders = 2,
            Rate = 0,
            Readings = 2_000,
            VerifyTimeout = TimeSpan.FromSeconds(60),
        });
        await simulation.Plan(CancellationToken.None);
        await simulation.Connect(CancellationToken.None);
        await simulation.Publish(CancellationToken.None);
        var before = simulation.Epoch;

        await _silo.Kill();
        await _silo.Restart();
        await Eventually.Holds(() => Task.FromResult(simulation.Counters.Resyncs > 0), TimeSpan.FromSeconds(60));
        var verification = await simulation.Verify(CancellationToken.None);

        Assert.NotNull(before);
        Assert.NotEqual(before, simulation.Epoch);
        Assert.Equal(1, simulation.Counters.Resyncs);
        Assert.Equal(10, simulation.Counters.ResentReadings);
        Assert.Empty(verification.Mismatches);
        Assert.Equal(4, verification.Exact);
    }
}
