using System.Net.Sockets;
using System.Text.Json.Nodes;
using MQTTnet;
using MQTTnet.Formatter;

namespace IndustryBrain.Tests.Security;

/// <summary>
/// A silo whose broker also admits anonymous clients (they play the noise a terminal's offline session would
/// queue), with short session expiry, connect timeout and a small cap of connections per address.
/// </summary>
public sealed class SessionLimitsSilo : IAsyncLifetime
{
    public const int PerAddress = 8;

    /// <summary>
    /// Short enough to watch a session expire, long enough that a busy machine reconnects well within it (at 3 s,
    /// the 1,200 rejects of the queue test outlasted the session on a loaded machine).
    /// </summary>
    public const int ExpirySeconds = 15;
    public SecuredSilo Silo { get; private set; } = null!;
    public Dictionary<string, string> Passwords { get; } = [];

    public async Task InitializeAsync()
    {
        Silo = await SecuredSilo.Start(settings:
        [
            "--Mqtt:RequireCredentials=false", $"--Mqtt:OfflineSessionExpirySeconds={ExpirySeconds}", "--Mqtt:ConnectTimeoutSeconds=5",
            $"--Mqtt:MaxConnectionsPerAddress={PerAddress}",
        ]);
        await Silo.Register("firm");
        foreach (var terminal in new[] { "T1", "T2", "T3" })
        {
            Passwords[$"firm/{terminal}"] = await Silo.IssueCredential("firm", terminal);
        }
    }

    public async Task DisposeAsync() => await Silo.DisposeAsync();
}

public sealed class MqttSessionLimitsTests(SessionLimitsSilo limits) : IClassFixture<SessionLimitsSilo>
{
    private SecuredSilo Silo => limits.Silo;

    /// <summary>A persistent session as a 3.1.1 terminal keeps it (clean session off), under a fixed client id.</summary>
    private Task<MqttTerminal> Terminal(string terminal, string clientId) =>
        MqttTerminal.ConnectWith(Silo.MqttPort, "firm", terminal, options => options
            .WithProtocolVersion(MqttProtocolVersion.V311)
            .WithClientId(clientId)
            .WithCleanSession(false)
            .WithCredentials($"firm/{terminal}", limits.Passwords[$"firm/{terminal}"]));

    [Fact]
    public async Task A_terminal_is_one_connection_a_new_one_with_its_credential_replaces_the_old_and_its_session()
    {
        await using var first = await Terminal("T1", "t1-first");
        Assert.Equal(MqttClientConnectResultCode.Success, first.Result.ResultCode);
        await first.TrySubscribe("ib/firm/T1/reject");

        await using var second = await Terminal("T1", "t1-second");
        Assert.Equal(MqttClientConnectResultCode.Success, second.Result.ResultCode);
        await first.Dropped.WaitAsync(TimeSpan.FromSeconds(15));
        Assert.True(second.IsConnected);

        // The first one's session went with it: coming back under its old id, it starts afresh (and replaces the second).
        await using var back = await Terminal("T1", "t1-first");
        Assert.False(back.Result.IsSessionPresent, "the replaced connection's session was kept");
        await second.Dropped.WaitAsync(TimeSpan.FromSeconds(15));
    }

    [Fact]
    public async Task An_offline_session_expires_after_Mqtt_OfflineSessionExpirySeconds()
    {
        await using (var before = await Terminal("T2", "t2-expiring"))
        {
            await before.TrySubscribe("ib/firm/T2/reject");
            await before.Leave();
        }

        // Kept for a short while (SessionLimitsSilo.ExpirySeconds here) ...
        await using (var soon = await Terminal("T2", "t2-expiring"))
        {
            Assert.True(soon.Result.IsSessionPresent, "a session was not kept at all");
            await soon.Leave();
        }

        // ... and gone after it: wait until the broker's session gauge no longer counts it, then look.
        using var expired = new CancellationTokenSource(TimeSpan.FromSeconds(4 * SessionLimitsSilo.ExpirySeconds));
        while (!expired.IsCancellationRequested && await Silo.Metric("ib_mqtt_sessions") > 0)
        {
            await Task.Delay(200, CancellationToken.None);
        }

        await using var later = await Terminal("T2", "t2-expiring");
        Assert.False(later.Result.IsSessionPresent, "an offline session outlived Mqtt:OfflineSessionExpirySeconds");
    }

    [Fact]
    public async Task An_offline_session_queues_at_most_a_bounded_number_of_messages()
    {
        const int Noise = 1_200;
        await using (var terminal = await Terminal("T3", "t3-queue"))
        {
            await terminal.TrySubscribe("ib/firm/T3/reject");
            await terminal.Leave();
        }

        // An anonymous client (allowed on this silo) publishes garbage under T3's topic: each is answered on T3's reject topic.
        await using (var noise = await MqttTerminal.ConnectAs(Silo.MqttPort, null, null))
        {
            for (var i = 0; i < Noise; i++)
            {
                Assert.Equal("malformed-json", (await noise.Publish("ib/firm/T3/count", "{noise " + i)).ReasonString);
            }
        }

        await using var back = await Terminal("T3", "t3-queue");
        Assert.True(back.Result.IsSessionPresent);
        // One more reject after the reconnect marks the end of what was queued.
        await using (var marker = await MqttTerminal.ConnectAs(Silo.MqttPort, null, null))
        {
            await marker.Publish("ib/firm/T3/count", """{"order":"MARK","step":"s","seq":1}""");
        }

        var queued = 0;
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        while (true)
        {
            var payload = (await back.NextAny().WaitAsync(timeout.Token)).Payload;
            if (JsonNode.Parse(payload)!["reason"]!.GetValue<string>() == "invalid-field")
            {
                break;
            }

            queued++;
        }

        Assert.InRange(queued, 1, 1_000);
    }

    [Fact]
    public async Task A_client_id_longer_than_the_limit_is_refused()
    {
        await using var terminal = await MqttTerminal.ConnectAs(Silo.MqttPort, null, null, new string('c', 60_000));
        Assert.Equal(MqttClientConnectResultCode.ClientIdentifierNotValid, terminal.Result.ResultCode);
    }

    [Fact]
    public async Task A_connection_that_sends_no_connect_is_closed_after_the_connect_timeout()
    {
        using var silent = new TcpClient();
        await silent.ConnectAsync("127.0.0.1", Silo.MqttPort);
        var opened = DateTimeOffset.UtcNow;
        var stream = silent.GetStream();
        var buffer = new byte[16];
        using var bound = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        try
        {
            Assert.Equal(0, await stream.ReadAsync(buffer, bound.Token));
        }
        catch (IOException)
        {
            // Reset by the broker: closed all the same.
        }
        catch (OperationCanceledException)
        {
            Assert.Fail($"a silent connection was still open {(DateTimeOffset.UtcNow - opened).TotalSeconds:F0} s later");
        }
    }

    [Fact]
    public async Task One_address_holds_at_most_Mqtt_MaxConnectionsPerAddress_connections()
    {
        var open = new List<TcpClient>();
        try
        {
            // Raw sockets that send nothing: each holds a slot until the connect timeout, like a slow client.
            for (var i = 0; i < SessionLimitsSilo.PerAddress + 4; i++)
            {
                var socket = new TcpClient();
                await socket.ConnectAsync("127.0.0.1", Silo.MqttPort);
                open.Add(socket);
            }

            // Those beyond the cap are closed at once, long before the connect timeout closes the others.
            using var bound = new CancellationTokenSource(TimeSpan.FromSeconds(3.5));
            var ended = await Task.WhenAll(open.Select(async socket =>
            {
                try
                {
                    return await socket.GetStream().ReadAsync(new byte[1], bound.Token) == 0;
                }
                catch (IOException)
                {
                    return true;
                }
                catch (OperationCanceledException)
                {
                    return false;
                }
            }));
            var closed = ended.Count(e => e);
            Assert.True(closed >= 4, $"only {closed} of {open.Count} connections from one address were closed at once");
        }
        finally
        {
            foreach (var socket in open)
            {
                socket.Dispose();
            }
        }
    }
}
