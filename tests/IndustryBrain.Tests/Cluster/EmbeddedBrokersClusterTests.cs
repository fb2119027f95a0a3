using System.Text.Json;

namespace IndustryBrain.Tests.Cluster;

/// <summary>
/// Two silos of one cluster on Redis, each with its own embedded broker (Cluster:Redis without Mqtt:Broker), as a
/// district behind a TCP load balancer runs them: terminals on either silo hear the cluster's one epoch on
/// ib/brain/state, and when a silo crashes and comes back (a new epoch), the terminals of the other silo hear the new
/// epoch from their own broker, so they re-send their latest readings wherever they are connected.
/// </summary>
[Trait("Category", "Cluster")]
public sealed class EmbeddedBrokersClusterTests
{
    private const string StateTopic = "ib/brain/state";

    [Fact]
    public async Task Every_silo_publishes_the_clusters_epoch_on_its_own_broker_also_the_one_begun_when_another_silo_crashed()
    {
        await using var redis = await RedisServer.Start();
        var cluster = "follow-" + Guid.NewGuid().ToString("N")[..8];
        BrainOptions Options() => new()
        {
            Mode = BrainMode.ChildProcess,
            Settings = [$"--Cluster:Redis=127.0.0.1:{redis.Port}", $"--Orleans:ClusterId={cluster}"],
        };
        await using var a = await Brain.Start(Options());
        await using var b = await Brain.Start(Options());

        await using var onA = await MqttTerminal.Connect(a.MqttPort, "follow-firm", "T1");
        await using var onB = await MqttTerminal.Connect(b.MqttPort, "follow-firm", "T2");
        await onA.Subscribe(StateTopic);
        await onB.Subscribe(StateTopic);
        var before = Epoch(await onA.Next(StateTopic));
        Assert.Equal(before, Epoch(await onB.Next(StateTopic)));
        Assert.Equal(before, await HealthEpoch(b));

        // Silo A crashes and starts again: a new epoch begins, by A at its start after a crash and by B seeing A's old
        // incarnation declared dead, in either order. Both silos settle on the last one and B's terminals hear it
        // from B's broker (when A's came last, only B following the epoch in Redis brings it there).
        await a.Kill();
        await a.Restart();
        var after = await Eventually.Value(async () => (A: await HealthEpoch(a), B: await HealthEpoch(b)),
            e => e.A == e.B && e.A != before, "both silos answering one new epoch after silo A's crash");
        string heard;
        do
        {
            heard = Epoch(await onB.Next(StateTopic));
        }
        while (heard != after.A);

        await using var again = await MqttTerminal.Connect(a.MqttPort, "follow-firm", "T3");
        await again.Subscribe(StateTopic);
        Assert.Equal(after.A, Epoch(await again.Next(StateTopic)));
    }

    private static string Epoch(Received message)
    {
        using var json = JsonDocument.Parse(message.Payload);
        Assert.True(json.RootElement.GetProperty("online").GetBoolean(), message.Payload);
        return json.RootElement.GetProperty("epoch").GetString()!;
    }

    private static async Task<string> HealthEpoch(Brain brain)
    {
        using var json = JsonDocument.Parse(await brain.Admin.GetStringAsync("/health"));
        return json.RootElement.GetProperty("epoch").GetString()!;
    }
}
