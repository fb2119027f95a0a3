using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using IndustryBrain.Silo.Mqtt;
using IndustryBrain.Tests.Infrastructure;
using Xunit.Abstractions;

namespace IndustryBrain.Tests.Cluster;

/// <summary>
/// Mosquitto drops QoS 1 messages for a subscriber whose queue is full while acknowledging them to the
/// publisher. The brain reads the broker's $SYS drop counter and answers a rise with a new epoch.
/// </summary>
[Collection(ClusterCollection.Name)]
[Trait("Category", "Cluster")]
public sealed class BrokerDropTests(ITestOutputHelper output)
{
    [Fact]
    public void A_rise_in_the_drop_counter_is_answered_once_it_stopped_rising_for_a_while()
    {
        var drops = new BrokerDrops();
        var t0 = DateTimeOffset.Parse("2026-11-22T08:00:00Z", CultureInfo.InvariantCulture);
        Assert.Null(drops.Observe(40, retained: true, t0)); // the broker's count before this silo looked
        Assert.Null(drops.Due(t0.AddSeconds(10)));
        Assert.Null(drops.Observe(55, retained: false, t0.AddSeconds(11))); // rising
        Assert.Null(drops.Observe(70, retained: false, t0.AddSeconds(12)));
        Assert.Null(drops.Due(t0.AddSeconds(14)));
        Assert.Equal(70, drops.Due(t0.AddSeconds(15))); // quiet for 3 s
        Assert.Null(drops.Due(t0.AddSeconds(16)));
        Assert.Equal(30, drops.Seen);
    }

    [Fact]
    public void A_first_live_report_counts_from_zero_and_endless_drops_are_answered_after_the_longest_wait()
    {
        var drops = new BrokerDrops();
        var t0 = DateTimeOffset.Parse("2026-11-22T08:00:00Z", CultureInfo.InvariantCulture);
        Assert.Null(drops.Observe(9, retained: false, t0)); // Mosquitto publishes the counter only once it moves
        Assert.Equal(9, drops.Due(t0.AddSeconds(3)));
        for (var s = 4; s < 4 + BrokerDrops.MaxWait.TotalSeconds; s++)
        {
            Assert.Null(drops.Observe(10 + s, retained: false, t0.AddSeconds(s)));
        }

        Assert.Equal(44, drops.Observe(44, retained: false, t0.AddSeconds(34)));
        Assert.Null(drops.Observe(2, retained: false, t0.AddSeconds(35))); // the broker restarted
        Assert.Equal(44, drops.Seen);
    }

    [Fact]
    public async Task Drops_the_broker_reports_make_a_new_epoch_and_the_terminals_resend_heals_the_counts()
    {
        var folder = Path.Combine(Path.GetTempPath(), "ib-drops-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(folder);
        var mqttPort = FreePort.Next();
        await File.WriteAllTextAsync(Path.Combine(folder, "mosquitto.conf"), $"""
            listener {mqttPort} 127.0.0.1
            allow_anonymous true
            user {Environment.UserName}
            max_queued_messages 20
            sys_interval 1
            persistence false
            """);
        using var broker = ServerProcess.Start("mosquitto", ["-c", Path.Combine(folder, "mosquitto.conf")]);
        await using var silo = await Brain.Start(new()
        {
            Mode = BrainMode.ChildProcess,
            Broker = $"mqtt://127.0.0.1:{mqttPort}",
            StoragePath = Path.Combine(folder, "silo"),
            Logging = [],
            Settings = ["--Mqtt:DropsEpochIntervalSeconds=0"],
        });
        var http = silo.Admin;
        try
        {
            Assert.True(await Eventually.Holds(async () => (await http.GetAsync("/health")).IsSuccessStatusCode, TimeSpan.FromSeconds(120)),
                "the silo connects to the broker");
            Assert.True(await Eventually.Holds(async () => await Renewals(http) == 1, TimeSpan.FromSeconds(60)),
                "the brain coming online begins an epoch: the broker may have restarted while it was away");
            await using var terminals = await CountingTerminals.Connect(mqttPort, "drops", 1, 1, ["O1"], ["polish"]);

            // Someone's subscriber that takes one message and never acknowledges it: the broker queues 20 for it, then drops.
            await using var stalled = await MqttTerminal.ConnectWith(mqttPort, "someone", "stalled", options => options.WithReceiveMaximum(1));
            stalled.Stall();
            await stalled.TrySubscribe("ib/+/+/count");

            await terminals.Run(200, TimeSpan.Zero);
            await stalled.Leave();

            Assert.True(await Eventually.Holds(() => Task.FromResult(terminals.Resyncs > 0), TimeSpan.FromSeconds(60)),
                "the terminals see a new epoch after the broker reported drops");
            var health = await http.GetFromJsonAsync<JsonElement>("/health");
            output.WriteLine($"broker drops seen by the silo: {health.GetProperty("brokerDrops")}, epoch renewals: {health.GetProperty("epochRenewals")}");
            Assert.True(health.GetProperty("brokerDrops").GetInt64() > 0);
            Assert.Equal(2, health.GetProperty("epochRenewals").GetInt32()); // coming online, then the drops

            var expected = terminals.Expected().Single();
            Assert.True(await Eventually.Holds(async () =>
            {
                var progress = await http.GetFromJsonAsync<JsonElement>("/api/enterprises/drops-e1/orders/O1");
                var step = progress.GetProperty("steps")[0];
                return step.GetProperty("good").GetInt64() == expected.Value.Good && step.GetProperty("scrap").GetInt64() == expected.Value.Scrap;
            }, TimeSpan.FromSeconds(60)), $"the order shows {expected.Value}");
        }
        finally
        {
            await silo.Kill();
            broker.Dispose();
            foreach (var line in silo.Log.Lines.Where(Kept).Where(l => l.Contains("Broker", StringComparison.Ordinal) || l.Contains("drop", StringComparison.OrdinalIgnoreCase) || l.Contains("epoch", StringComparison.OrdinalIgnoreCase)).Take(40))
            {
                output.WriteLine(line);
            }

            try
            {
                Directory.Delete(folder, recursive: true);
            }
            catch (IOException)
            {
            }
        }
    }

    private static async Task<int> Renewals(HttpClient http) =>
        (await http.GetFromJsonAsync<JsonElement>("/health")).GetProperty("epochRenewals").GetInt32();

    /// <summary>The silo's warnings, failures and their continuation lines.</summary>
    private static bool Kept(string line) =>
        line.Contains("warn", StringComparison.Ordinal) || line.Contains("fail", StringComparison.Ordinal) || line.StartsWith(' ');
}
