using System.Text.Json.Nodes;
using MQTTnet;

namespace IndustryBrain.Tests.Security;

/// <summary>
/// Issue 10: the embedded broker hands a terminal's counts and statuses to the brain only; it routes them on to
/// other subscribers only when Mqtt:ForwardTerminalMessages says so. Routing cost MQTTnet a walk over every
/// connected session per publish.
/// </summary>
public sealed class TerminalMessageRoutingTests(FleetSilo fleet) : IClassFixture<FleetSilo>
{
    private const string Malformed = "{\"order\":";

    private static string Reading(long seq, long good) =>
        $$"""{"order":"QF-ROUTE","step":"rough-grind","seq":{{seq}},"good":{{good}}}""";

    /// <summary>
    /// The terminal subscribes to everything under its own topics, publishes a count, then a malformed message
    /// whose rejection the brain publishes on its reject topic: the first message it receives tells whether its
    /// count was routed (it would have been queued before the rejection).
    /// </summary>
    private static async Task<JsonNode> FirstMessageAfterACount(SecuredSilo silo, string terminal)
    {
        var password = await silo.IssueCredential("qiaofeng", terminal);
        await using var client = await MqttTerminal.ConnectAs(silo.MqttPort, $"qiaofeng/{terminal}", password);
        Assert.Equal(MqttClientSubscribeResultCode.GrantedQoS1, await client.TrySubscribe($"ib/qiaofeng/{terminal}/#"));
        var counted = await client.Publish($"ib/qiaofeng/{terminal}/count", Reading(1, 8642));
        Assert.Equal(MqttClientPublishReasonCode.Success, counted.ReasonCode);
        Assert.Equal(MqttClientPublishReasonCode.PayloadFormatInvalid, (await client.Publish($"ib/qiaofeng/{terminal}/count", Malformed)).ReasonCode);
        return JsonNode.Parse((await client.NextAny()).Payload)!;
    }

    [Fact]
    public async Task An_accepted_count_goes_to_the_brain_only_and_its_puback_says_success()
    {
        var first = await FirstMessageAfterACount(fleet.Silo, "RT-1");
        Assert.Equal("malformed-json", first["reason"]!.GetValue<string>());
        await fleet.Silo.Drained();
        var order = await fleet.Silo.Ok(HttpMethod.Get, "/api/enterprises/qiaofeng/orders/QF-ROUTE", fleet.Silo.AdminKey);
        Assert.Equal(8642, order!["steps"]![0]!["good"]!.GetValue<long>());
    }

    [Fact]
    public async Task With_forwarding_on_an_accepted_count_also_reaches_its_subscribers()
    {
        await using var silo = await SecuredSilo.Start("secured-test-admin-key", "--Mqtt:ForwardTerminalMessages=true");
        await silo.Register("qiaofeng");
        var first = await FirstMessageAfterACount(silo, "RT-2");
        Assert.Equal(8642, first["good"]!.GetValue<long>());
    }
}
