using System.Net;
using System.Text;
using MQTTnet;

namespace IndustryBrain.Tests.Security;

/// <summary>A silo with small limits, where terminals may also connect without credentials.</summary>
public sealed class SmallLimitsSilo : IAsyncLifetime
{
    public const int MaxConnections = 6;
    public SecuredSilo Silo { get; private set; } = null!;
    public string Password { get; private set; } = "";
    public string RateKey { get; private set; } = "";
    public string OtherKey { get; private set; } = "";
    public string BodyKey { get; private set; } = "";

    public async Task InitializeAsync()
    {
        Silo = await SecuredSilo.Start(settings:
        [
            "--Mqtt:RequireCredentials=false", "--Mqtt:MaxPayloadBytes=1024", $"--Mqtt:MaxConnections={MaxConnections}",
            "--Mqtt:PublishesPerSecond=5", "--Mqtt:PublishBurst=5",
            "--Http:RequestsPerSecond=2", "--Http:RequestBurst=4", "--Http:MaxRequestBodyBytes=2000",
            "--Http:AnonymousRequestsPerSecond=1", "--Http:AnonymousRequestBurst=3",
        ]);
        await Silo.Register("qiaofeng");
        await Silo.Register("other");
        Password = await Silo.IssueCredential("qiaofeng", "T1");
        (_, RateKey) = await Silo.CreateKey("official");
        (_, OtherKey) = await Silo.CreateKey("official");
        (_, BodyKey) = await Silo.CreateKey("admin");
    }

    public async Task DisposeAsync() => await Silo.DisposeAsync();
}

public sealed class LimitsTests(SmallLimitsSilo limits) : IClassFixture<SmallLimitsSilo>
{
    private SecuredSilo Silo => limits.Silo;

    private static string Reading(string order, long seq, long good) =>
        $$"""{"order":"{{order}}","step":"pack","seq":{{seq}},"good":{{good}}}""";

    private static bool Accepted(MqttClientPublishResult result) =>
        result.ReasonCode is MqttClientPublishReasonCode.Success or MqttClientPublishReasonCode.NoMatchingSubscribers;

    private async Task<HttpStatusCode> OrderStatus(string enterprise, string order)
    {
        using var response = await Silo.Send(HttpMethod.Get, $"/api/enterprises/{enterprise}/orders/{order}", limits.BodyKey);
        return response.StatusCode;
    }

    [Fact]
    public async Task Where_credentials_are_not_required_an_anonymous_terminal_counts()
    {
        await using var anonymous = await MqttTerminal.ConnectAs(Silo.MqttPort, null, null);
        Assert.True(anonymous.Connected);
        Assert.True(Accepted(await anonymous.Publish("ib/other/T7/count", Reading("ANON-1", 1, 12))));
        Assert.Equal(MqttClientPublishReasonCode.NotAuthorized, (await anonymous.Publish("ib/brain/state", """{"online":false}""")).ReasonCode);
        await Silo.Drained();
        var order = await Silo.Ok(HttpMethod.Get, "/api/enterprises/other/orders/ANON-1", limits.BodyKey);
        Assert.Equal(12, order!["steps"]![0]!["good"]!.GetValue<long>());
    }

    [Fact]
    public async Task Where_credentials_are_not_required_a_terminal_that_presents_one_is_still_checked_and_held_to_its_topics()
    {
        await using (var wrong = await MqttTerminal.ConnectAs(Silo.MqttPort, "qiaofeng/T1", "wrong"))
        {
            Assert.Equal(MqttClientConnectResultCode.BadUserNameOrPassword, wrong.Result.ResultCode);
        }

        await using var terminal = await MqttTerminal.ConnectAs(Silo.MqttPort, "qiaofeng/T1", limits.Password);
        Assert.True(terminal.Connected);
        Assert.Equal(MqttClientPublishReasonCode.NotAuthorized, (await terminal.Publish("ib/other/T1/count", Reading("HELD-1", 1, 1))).ReasonCode);
        await Silo.Drained();
        Assert.Equal(HttpStatusCode.NotFound, await OrderStatus("other", "HELD-1"));
    }

    [Fact]
    public async Task A_payload_over_Mqtt_MaxPayloadBytes_is_refused_as_too_large_and_changes_nothing()
    {
        await using var terminal = await MqttTerminal.ConnectAs(Silo.MqttPort, "qiaofeng/T1", limits.Password);
        var padded = Reading("BIG-1", 1, 5)[..^1] + ",\"note\":\"" + new string('x', 1500) + "\"}";
        var result = await terminal.Publish("ib/qiaofeng/T1/count", padded);
        Assert.Equal(MqttClientPublishReasonCode.QuotaExceeded, result.ReasonCode);
        Assert.Equal("too-large", result.ReasonString);
        await Silo.Drained();
        Assert.Equal(HttpStatusCode.NotFound, await OrderStatus("qiaofeng", "BIG-1"));
    }

    [Fact]
    public async Task A_packet_over_the_packet_limit_closes_its_connection_and_changes_nothing()
    {
        await using var terminal = await MqttTerminal.ConnectAs(Silo.MqttPort, "qiaofeng/T1", limits.Password);
        var huge = Reading("HUGE-1", 1, 5)[..^1] + ",\"note\":\"" + new string('x', 20_000) + "\"}";
        try
        {
            await terminal.Publish("ib/qiaofeng/T1/count", huge);
        }
        catch (Exception e) when (e is MQTTnet.Exceptions.MqttCommunicationException or OperationCanceledException)
        {
        }

        await terminal.Dropped.WaitAsync(TimeSpan.FromSeconds(30));
        await Silo.Drained();
        Assert.Equal(HttpStatusCode.NotFound, await OrderStatus("qiaofeng", "HUGE-1"));
    }

    [Fact]
    public async Task Beyond_Mqtt_MaxConnections_a_connection_is_closed_at_once()
    {
        var open = new List<MqttTerminal>();
        try
        {
            // Connections of earlier tests may still be closing: each of the allowed ones may take a few tries.
            while (open.Count < SmallLimitsSilo.MaxConnections)
            {
                open.Add(await Eventually(() => MqttTerminal.ConnectAs(Silo.MqttPort, null, null)));
            }

            var beyondConnected = false;
            try
            {
                await using var beyond = await MqttTerminal.ConnectAs(Silo.MqttPort, null, null);
                beyondConnected = beyond.Connected;
            }
            catch (Exception e) when (e is MQTTnet.Exceptions.MqttCommunicationException or OperationCanceledException)
            {
            }

            Assert.False(beyondConnected, "the connection beyond the limit was accepted");

            await open[0].DisposeAsync();
            open.RemoveAt(0);
            open.Add(await Eventually(() => MqttTerminal.ConnectAs(Silo.MqttPort, null, null)));
            Assert.True(open[^1].Connected);
        }
        finally
        {
            foreach (var terminal in open)
            {
                await terminal.DisposeAsync();
            }
        }
    }

    private static async Task<MqttTerminal> Eventually(Func<Task<MqttTerminal>> connect)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                var terminal = await connect();
                if (terminal.Connected)
                {
                    return terminal;
                }

                await terminal.DisposeAsync();
            }
            catch (Exception) when (attempt < 100)
            {
            }

            await Task.Delay(100);
        }
    }

    [Fact]
    public async Task A_terminal_over_its_publish_rate_is_slowed_not_refused()
    {
        const string Series = "ib_mqtt_throttled_total{otel_scope_name=\"IndustryBrain\"}";
        // A terminal of its own, so that its bucket starts full.
        var password = await Silo.IssueCredential("qiaofeng", "RATE");
        var before = await Silo.MetricSettled(Series);
        await using var terminal = await MqttTerminal.ConnectAs(Silo.MqttPort, "qiaofeng/RATE", password);
        var clock = System.Diagnostics.Stopwatch.StartNew();
        for (var seq = 1; seq <= 15; seq++)
        {
            Assert.True(Accepted(await terminal.Publish("ib/qiaofeng/RATE/count", Reading("RATE-1", seq, seq * 10))));
        }

        var took = clock.Elapsed;
        await Silo.Drained();
        var order = await Silo.Ok(HttpMethod.Get, "/api/enterprises/qiaofeng/orders/RATE-1", limits.BodyKey);
        Assert.Equal(150, order!["steps"]![0]!["good"]!.GetValue<long>());

        // A burst of 5 at 5 a second: the 10 after the burst cannot all have been taken in under 2 s, however fast the
        // machine (a slow one takes longer by itself, and then fewer of them had to wait: at most 10 did).
        Assert.True(took >= TimeSpan.FromSeconds(1.9), $"15 publishes at 5 a second after a burst of 5 took {took.TotalSeconds:F2} s");
        var throttled = await Silo.MetricReaching(Series, before + 1) - before;
        Assert.InRange(throttled, 1, 10);
    }

    [Fact]
    public async Task Beyond_its_request_rate_a_key_gets_429_and_other_keys_do_not()
    {
        var statuses = new List<HttpStatusCode>();
        HttpResponseMessage? limited = null;
        for (var i = 0; i < 12; i++)
        {
            var response = await Silo.Send(HttpMethod.Get, "/api/enterprises/qiaofeng", limits.RateKey);
            statuses.Add(response.StatusCode);
            if (response.StatusCode == HttpStatusCode.TooManyRequests && limited is null)
            {
                limited = response;
            }
            else
            {
                response.Dispose();
            }
        }

        Assert.NotNull(limited);
        using (limited)
        {
            Assert.Equal("rate-limited", await SecuredSilo.Reason(limited));
            Assert.True(limited.Headers.RetryAfter?.Delta >= TimeSpan.FromSeconds(1));
        }

        Assert.Equal(HttpStatusCode.OK, statuses[0]);
        using var other = await Silo.Send(HttpMethod.Get, "/api/enterprises/qiaofeng", limits.OtherKey);
        Assert.Equal(HttpStatusCode.OK, other.StatusCode);
    }

    [Fact]
    public async Task Without_a_key_an_address_gets_only_the_anonymous_rate()
    {
        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 10; i++)
        {
            using var response = await Silo.Send(HttpMethod.Get, "/api/bundles", null);
            statuses.Add(response.StatusCode);
        }

        Assert.Contains(HttpStatusCode.Unauthorized, statuses);
        Assert.Contains(HttpStatusCode.TooManyRequests, statuses);
        Assert.DoesNotContain(HttpStatusCode.OK, statuses);
    }

    [Fact]
    public async Task A_body_over_Http_MaxRequestBodyBytes_is_refused_with_413_too_large()
    {
        var body = $$"""{"name":"{{new string('x', 3000)}}","uscc":"{{SecuredSilo.Uscc}}"}""";
        using (var declared = await Silo.Send(HttpMethod.Put, "/api/enterprises/bigbody", limits.BodyKey, new StringContent(body, Encoding.UTF8, "application/json")))
        {
            Assert.Equal(HttpStatusCode.RequestEntityTooLarge, declared.StatusCode);
            Assert.Equal("too-large", await SecuredSilo.Reason(declared));
        }

        var chunked = new StreamContent(new MemoryStream(Encoding.UTF8.GetBytes(body)));
        chunked.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
        using var request = Silo.Request(HttpMethod.Put, "/api/enterprises/bigbody", limits.BodyKey, chunked);
        request.Headers.TransferEncodingChunked = true;
        using (var streamed = await Silo.Http.SendAsync(request))
        {
            Assert.Equal(HttpStatusCode.RequestEntityTooLarge, streamed.StatusCode);
            Assert.Equal("too-large", await SecuredSilo.Reason(streamed));
        }

        using var missing = await Silo.Send(HttpMethod.Get, "/api/enterprises/bigbody", limits.BodyKey);
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
    }
}
