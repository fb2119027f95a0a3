using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Xunit.Abstractions;

namespace IndustryBrain.Tests.Cluster;

/// <summary>
/// Production mode against the real thing: three silos clustered through Redis, behind Mosquitto with
/// shared subscriptions, fed by simulated terminals over MQTT 5. Counts are checked exactly.
/// </summary>
[Collection(ClusterCollection.Name)]
[Trait("Category", "Cluster")]
public sealed class ClusterTests(ClusterTopology cluster, ITestOutputHelper output)
{
    private static readonly string[] Orders = ["O1", "O2"];
    private static readonly string[] Steps = ["blank", "forge", "rough-grind"];
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(120);

    [Fact]
    public async Task Three_silos_split_the_terminals_readings_and_every_total_is_exact()
    {
        var before = await Figures();
        var receivedBefore = await SumMetric("ib_readings_received_total");
        var appliedBefore = await SumMetric("ib_readings_applied_total");
        var duplicateBefore = await SumMetric("ib_readings_duplicate_total");
        await using var terminals = await CountingTerminals.Connect(cluster.MqttPort, "split", 3, 6, Orders, Steps);

        var clock = Stopwatch.StartNew();
        await terminals.Run(150, TimeSpan.FromMilliseconds(2));
        await Eventually.Holds(async () => Settled(await Figures(), before, terminals.Published), Patience);
        clock.Stop();

        var after = await Figures();
        var applied = Enumerable.Range(0, ClusterTopology.Silos).Select(i => after[i].Applied - before[i].Applied).ToArray();
        output.WriteLine($"{terminals.Counted} readings from 18 terminals in {clock.Elapsed.TotalSeconds:F1} s; applied per silo: {string.Join(", ", applied.Select((a, i) => $"silo-{i + 1} {a} ({100.0 * a / applied.Sum():F1}%)"))}");
        output.WriteLine($"before: {string.Join("; ", before)}\nafter: {string.Join("; ", after)}\nresyncs {terminals.Resyncs}");
        // The broker deals one terminal's messages to different silos, so a reading can reach its order after
        // a later one of the same counter: it is then a duplicate, and the later one holds the count.
        var superseded = Enumerable.Range(0, ClusterTopology.Silos).Sum(i => after[i].Duplicates - before[i].Duplicates);
        output.WriteLine($"{superseded} readings arrived after a later one of their counter");
        Assert.All(applied, a => Assert.True(a > 0, "every silo applies a share"));
        Assert.Equal(terminals.Published, Enumerable.Range(0, ClusterTopology.Silos).Sum(i => after[i].Received - before[i].Received));
        Assert.Equal(terminals.Published, applied.Sum() + superseded);
        Assert.Equal(0, Enumerable.Range(0, ClusterTopology.Silos).Sum(i => after[i].Failed - before[i].Failed));

        // /metrics says the same as what was sent.
        Assert.Equal(terminals.Published, await SumMetric("ib_readings_received_total") - receivedBefore);
        Assert.Equal(terminals.Published, await SumMetric("ib_readings_applied_total") + await SumMetric("ib_readings_duplicate_total") - appliedBefore - duplicateBefore);

        Assert.Equal(Sorted(terminals.Expected()), Sorted(await Shown(terminals)));
    }

    [Fact]
    public async Task A_silo_killed_mid_run_heals_exactly_after_the_new_epoch_and_a_cold_restart_keeps_everything()
    {
        var epochBefore = (await cluster.Health(1)).Body.GetProperty("epoch").GetString();
        var terminals = await CountingTerminals.Connect(cluster.MqttPort, "kill", 3, 5, Orders, Steps);
        try
        {
            var run = terminals.Run(500, TimeSpan.FromMilliseconds(15));
            await Eventually.True(() => terminals.Published >= terminals.TerminalCount * 150L, "a third of the readings acknowledged before the kill");
            var killedAt = Stopwatch.StartNew();
            await cluster.KillSilo(2);
            output.WriteLine($"silo-2 killed after {terminals.Counted} readings");
            await run;

            Assert.True(await Eventually.Holds(() => Task.FromResult(terminals.Resyncs > 0), Patience),
                "the terminals see a new epoch after the cluster declares silo-2 dead");
            output.WriteLine($"new epoch seen by the terminals {killedAt.Elapsed.TotalSeconds:F1} s after the kill");
            var healed = await Eventually.Holds(async () => Same(terminals.Expected(), await Shown(terminals, silo: 1)), Patience);
            output.WriteLine($"counts healed {killedAt.Elapsed.TotalSeconds:F1} s after the kill: {healed}; {terminals.Counted} readings counted, {terminals.Published} published");
            foreach (var silo in new[] { 1, 3 })
            {
                var (_, health) = await cluster.Health(silo);
                output.WriteLine($"silo-{silo}: epoch {health.GetProperty("epoch")}, renewals {health.GetProperty("epochRenewals")}, ingest {health.GetProperty("ingest")}");
            }

            Assert.NotEqual(epochBefore, (await cluster.Health(1)).Body.GetProperty("epoch").GetString());
            Assert.Equal(Sorted(terminals.Expected()), Sorted(await Shown(terminals, silo: 1)));
            Assert.Equal(Sorted(terminals.Expected()), Sorted(await Shown(terminals, silo: 3)));
        }
        finally
        {
            await cluster.StartSilo(2);
        }

        // Cold: every silo, the broker and Redis stop; all come back from Redis's append-only file.
        var expected = terminals.Expected();
        await terminals.DisposeAsync();
        await cluster.StopAll();
        await cluster.StartAll();
        for (var silo = 1; silo <= ClusterTopology.Silos; silo++)
        {
            Assert.Equal(Sorted(expected), Sorted(await Shown(terminals, silo)));
        }
    }

    [Fact]
    public async Task A_silo_stopped_cleanly_mid_run_leaves_its_share_to_the_others_and_nothing_needs_a_resync()
    {
        var epochBefore = (await cluster.Health(1)).Body.GetProperty("epoch").GetString();
        await using var terminals = await CountingTerminals.Connect(cluster.MqttPort, "drain", 3, 5, Orders, Steps);
        try
        {
            var run = terminals.Run(300, TimeSpan.FromMilliseconds(15));
            await Eventually.True(() => terminals.Published >= terminals.TerminalCount * 100L, "a third of the readings acknowledged before the stop");
            await cluster.StopSilo(3);
            output.WriteLine($"silo-3 stopped cleanly after {terminals.Counted} readings");
            await run;

            var healed = await Eventually.Holds(async () => Same(terminals.Expected(), await Shown(terminals)), Patience);
            output.WriteLine($"{terminals.Counted} readings counted; exact without a resync: {healed}");
            if (!healed || terminals.Resyncs != 0)
            {
                // Seen once in a fresh-clone run (15 resyncs, not exact within the patience): say what the silos logged.
                foreach (var silo in Enumerable.Range(1, ClusterTopology.Silos))
                {
                    output.WriteLine($"silo-{silo} warnings:\n  {string.Join("\n  ", cluster.Warnings(silo))}");
                }
            }

            Assert.Equal(0, terminals.Resyncs);
            Assert.Equal(epochBefore, (await cluster.Health(1)).Body.GetProperty("epoch").GetString());
            Assert.Equal(Sorted(terminals.Expected()), Sorted(await Shown(terminals)));
        }
        finally
        {
            await cluster.StartSilo(3);
        }
    }

    /// <summary>
    /// The broker goes away while the terminals count; they hold what they count and send it when they
    /// reconnect. The silos come back last (frozen meanwhile, as on a starved machine), so whatever the
    /// terminals resend first finds no silo subscribed: Mosquitto does not persist shared subscriptions,
    /// and without persistence it forgets the sessions too. Every count must be exact all the same, through
    /// a new epoch that asks the terminals to resend.
    /// </summary>
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Silos_ride_out_a_broker_outage_and_every_reading_counted_meanwhile_arrives(bool brokerKeepsSessions)
    {
        var connections = await Task.WhenAll(Enumerable.Range(1, ClusterTopology.Silos).Select(async s => (await cluster.Health(s)).Body.GetProperty("brokerConnections").GetInt64()));
        var epochBefore = (await cluster.Health(1)).Body.GetProperty("epoch").GetString();
        await using var terminals = await CountingTerminals.Connect(cluster.MqttPort, brokerKeepsSessions ? "outage-kept" : "outage-lost", 3, 5, Orders, Steps);
        var run = terminals.Run(400, TimeSpan.FromMilliseconds(15));
        Assert.True(await Eventually.Holds(() => Task.FromResult(terminals.Counted >= 1_500), Patience), "the terminals count");

        await cluster.StopBroker();
        var countedAtOutage = terminals.Counted;
        var down = await Eventually.Holds(async () =>
        {
            var healths = await Task.WhenAll(Enumerable.Range(1, ClusterTopology.Silos).Select(cluster.Health));
            return healths.All(h => h.Status == HttpStatusCode.ServiceUnavailable && h.Body.GetProperty("broker").GetString() == "down");
        }, Patience);
        Assert.True(down, "every silo's /health reports the broker down");
        await run; // the terminals count the rest of their run during the outage, and hold it

        for (var silo = 1; silo <= ClusterTopology.Silos; silo++)
        {
            await cluster.PauseSilo(silo);
        }

        try
        {
            await cluster.StartBroker(forgetting: !brokerKeepsSessions);
            Assert.True(await Eventually.Holds(() => Task.FromResult(terminals.Reconnections == terminals.TerminalCount), Patience),
                "every terminal reconnects and sends what it held before any silo is back");
        }
        finally
        {
            for (var silo = 1; silo <= ClusterTopology.Silos; silo++)
            {
                await cluster.ResumeSilo(silo);
            }
        }

        var up = await Eventually.Holds(async () =>
        {
            var healths = await Task.WhenAll(Enumerable.Range(1, ClusterTopology.Silos).Select(cluster.Health));
            return healths.All(h => h.Status == HttpStatusCode.OK);
        }, Patience);
        Assert.True(up, "every silo reconnects by itself");

        var healed = await Eventually.Holds(async () => Same(terminals.Expected(), await Shown(terminals)), Patience);
        output.WriteLine($"{terminals.Counted - countedAtOutage} of {terminals.Counted} readings counted during the outage; {terminals.Resyncs} resyncs; exact: {healed}");
        Assert.Equal(Sorted(terminals.Expected()), Sorted(await Shown(terminals)));
        Assert.True(terminals.Resyncs > 0, "a new epoch asked the terminals to resend");
        Assert.NotEqual(epochBefore, (await cluster.Health(1)).Body.GetProperty("epoch").GetString());
        for (var silo = 1; silo <= ClusterTopology.Silos; silo++)
        {
            Assert.Equal(connections[silo - 1] + 1, (await cluster.Health(silo)).Body.GetProperty("brokerConnections").GetInt64());
        }
    }

    private async Task<IngestFigures[]> Figures() =>
        await Task.WhenAll(Enumerable.Range(1, ClusterTopology.Silos).Select(cluster.Ingest));

    private async Task<double> SumMetric(string name) =>
        (await Task.WhenAll(Enumerable.Range(1, ClusterTopology.Silos).Select(s => cluster.Metric(s, name)))).Sum();

    private static bool Settled(IngestFigures[] now, IngestFigures[] before, long published) =>
        now.All(f => f.Pending == 0)
        && Enumerable.Range(0, now.Length).Sum(i => (now[i].Applied + now[i].Duplicates + now[i].Failed) - (before[i].Applied + before[i].Duplicates + before[i].Failed)) >= published;

    /// <summary>What the brain shows per (enterprise, order, step), read over HTTP from one silo.</summary>
    private async Task<Dictionary<(string Enterprise, string Order, string Step), (long Good, long Scrap)>> Shown(CountingTerminals terminals, int silo = 1)
    {
        var shown = new Dictionary<(string, string, string), (long, long)>();
        foreach (var enterprise in terminals.Enterprises)
        {
            foreach (var order in terminals.Orders)
            {
                using var response = await cluster.Http(silo).GetAsync($"/api/enterprises/{enterprise}/orders/{order}");
                if (response.StatusCode == HttpStatusCode.NotFound)
                {
                    continue;
                }

                response.EnsureSuccessStatusCode();
                var progress = await response.Content.ReadFromJsonAsync<JsonElement>();
                foreach (var step in progress.GetProperty("steps").EnumerateArray())
                {
                    shown[(enterprise, order, step.GetProperty("step").GetString()!)] = (step.GetProperty("good").GetInt64(), step.GetProperty("scrap").GetInt64());
                }
            }
        }

        return shown;
    }

    private static bool Same<TKey>(Dictionary<TKey, (long, long)> a, Dictionary<TKey, (long, long)> b)
        where TKey : notnull =>
        a.Count == b.Count && a.All(pair => b.TryGetValue(pair.Key, out var other) && other == pair.Value);

    private static List<string> Sorted(Dictionary<(string Enterprise, string Order, string Step), (long Good, long Scrap)> counts) =>
        [.. counts.Select(c => $"{c.Key.Enterprise}/{c.Key.Order}/{c.Key.Step}: good {c.Value.Good}, scrap {c.Value.Scrap}").Order(StringComparer.Ordinal)];
}
