using System.Net;
using System.Net.Sockets;
using System.Text.Json.Nodes;
using MQTTnet;
using MQTTnet.Protocol;

namespace IndustryBrain.Tests.Security;

/// <summary>One silo (credentials required, the default) with two firms and terminal credentials.</summary>
public sealed class TerminalsSilo : IAsyncLifetime
{
    public SecuredSilo Silo { get; private set; } = null!;
    public string QiaofengKey { get; private set; } = "";
    public Dictionary<string, string> Passwords { get; } = [];

    public async Task InitializeAsync()
    {
        Silo = await SecuredSilo.Start();
        await Silo.Register("qiaofeng");
        await Silo.Register("other");
        (_, QiaofengKey) = await Silo.CreateKey("enterprise", "qiaofeng");
        foreach (var username in new[] { "qiaofeng/T1", "qiaofeng/T2", "other/T1" })
        {
            var parts = username.Split('/');
            Passwords[username] = await Silo.IssueCredential(parts[0], parts[1]);
        }
    }

    public async Task DisposeAsync() => await Silo.DisposeAsync();
}

public sealed class MqttRightsTests(TerminalsSilo terminals) : IClassFixture<TerminalsSilo>
{
    private SecuredSilo Silo => terminals.Silo;

    private Task<MqttTerminal> Connect(string username, string? password = null, string? clientId = null) =>
        MqttTerminal.ConnectAs(Silo.MqttPort, username, password ?? terminals.Passwords[username], clientId);

    private static string Reading(string order, long seq, long good) =>
        $$"""{"order":"{{order}}","step":"rough-grind","seq":{{seq}},"good":{{good}}}""";

    private static bool Accepted(MqttClientPublishResult result) =>
        result.ReasonCode is MqttClientPublishReasonCode.Success or MqttClientPublishReasonCode.NoMatchingSubscribers;

    private async Task<HttpStatusCode> OrderStatus(string enterprise, string order)
    {
        using var response = await Silo.Send(HttpMethod.Get, $"/api/enterprises/{enterprise}/orders/{order}", Silo.AdminKey);
        return response.StatusCode;
    }

    [Fact]
    public async Task A_terminal_with_its_credential_counts_for_its_firm()
    {
        await using var terminal = await Connect("qiaofeng/T1");
        Assert.Equal(MqttClientConnectResultCode.Success, terminal.Result.ResultCode);
        Assert.True(Accepted(await terminal.Publish("ib/qiaofeng/T1/count", Reading("QF-OWN", 1, 8642))));
        Assert.True(Accepted(await terminal.Publish("ib/qiaofeng/T1/status", """{"state":"running","seq":1}""")));
        await Silo.Drained();
        var order = await Silo.Ok(HttpMethod.Get, "/api/enterprises/qiaofeng/orders/QF-OWN", Silo.AdminKey);
        Assert.Equal(8642, order!["steps"]![0]!["good"]!.GetValue<long>());
    }

    [Fact]
    public async Task A_terminal_publishing_under_another_firm_is_refused_and_nothing_changes()
    {
        await using var intruder = await Connect("qiaofeng/T1");
        Assert.Equal(MqttClientSubscribeResultCode.GrantedQoS1, await intruder.TrySubscribe("ib/qiaofeng/T1/reject"));

        var result = await intruder.Publish("ib/other/T1/count", Reading("OT-STOLEN", 1, 999));
        Assert.Equal(MqttClientPublishReasonCode.NotAuthorized, result.ReasonCode);
        Assert.Equal("not-authorized", result.ReasonString);
        var reject = JsonNode.Parse((await intruder.Next("ib/qiaofeng/T1/reject")).Payload)!;
        Assert.Equal("not-authorized", reject["reason"]!.GetValue<string>());

        // Another terminal of the same firm is not it either.
        Assert.Equal(MqttClientPublishReasonCode.NotAuthorized, (await intruder.Publish("ib/qiaofeng/T2/count", Reading("QF-T2", 1, 5))).ReasonCode);

        await Silo.Drained();
        Assert.Equal(HttpStatusCode.NotFound, await OrderStatus("other", "OT-STOLEN"));
        Assert.Equal(HttpStatusCode.NotFound, await OrderStatus("qiaofeng", "QF-T2"));
        var logged = (await Silo.Ok(HttpMethod.Get, "/api/rejects?enterprise=qiaofeng", terminals.QiaofengKey))!.AsArray();
        Assert.Contains(logged, r => r!["reason"]!.GetValue<string>() == "not-authorized"
            && r["detail"]!.GetValue<string>().Contains("ib/other/T1/count", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Nobody_but_the_brain_publishes_its_state_or_a_reject()
    {
        await using var terminal = await Connect("qiaofeng/T1");
        Assert.Equal(MqttClientPublishReasonCode.NotAuthorized, (await terminal.Publish("ib/brain/state", """{"online":false}""", retain: true)).ReasonCode);
        Assert.Equal(MqttClientPublishReasonCode.NotAuthorized, (await terminal.Publish("ib/qiaofeng/T1/reject", """{"reason":"x"}""")).ReasonCode);

        await using var listener = await Connect("qiaofeng/T2");
        Assert.Equal(MqttClientSubscribeResultCode.GrantedQoS1, await listener.TrySubscribe("ib/brain/state"));
        var state = JsonNode.Parse((await listener.Next("ib/brain/state")).Payload)!;
        Assert.True(state["online"]!.GetValue<bool>());
    }

    [Theory]
    [InlineData("qiaofeng/T1", "wrong-password")]
    [InlineData("qiaofeng/T9", "any-password")]
    [InlineData("qiaofeng", "any-password")]
    [InlineData("$brain", "any-password")]
    public async Task A_wrong_credential_is_refused_at_connect(string username, string password)
    {
        await using var terminal = await Connect(username, password);
        Assert.Equal(MqttClientConnectResultCode.BadUserNameOrPassword, terminal.Result.ResultCode);
        Assert.False(terminal.Client.IsConnected);
    }

    [Fact]
    public async Task Without_credentials_nobody_connects()
    {
        await using var anonymous = await MqttTerminal.ConnectAs(Silo.MqttPort, null, null);
        Assert.Equal(MqttClientConnectResultCode.BadUserNameOrPassword, anonymous.Result.ResultCode);
    }

    [Fact]
    public async Task A_revoked_credential_can_no_longer_connect_and_its_connection_is_closed()
    {
        var password = await Silo.IssueCredential("qiaofeng", "T3");
        await using var terminal = await Connect("qiaofeng/T3", password);
        Assert.True(terminal.Connected);

        using var revoke = await Silo.Send(HttpMethod.Delete, "/api/enterprises/qiaofeng/terminals/T3/credential", terminals.QiaofengKey);
        Assert.Equal(HttpStatusCode.NoContent, revoke.StatusCode);
        var dropped = await terminal.Dropped.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(MqttClientDisconnectReason.NotAuthorized, dropped.Reason);

        await using var again = await Connect("qiaofeng/T3", password);
        Assert.Equal(MqttClientConnectResultCode.BadUserNameOrPassword, again.Result.ResultCode);
    }

    [Fact]
    public async Task A_second_issue_rotates_the_password()
    {
        var first = await Silo.IssueCredential("qiaofeng", "T4");
        using var rotate = await Silo.Send(HttpMethod.Post, "/api/enterprises/qiaofeng/terminals/T4/credential", terminals.QiaofengKey);
        Assert.Equal(HttpStatusCode.OK, rotate.StatusCode);
        var second = JsonNode.Parse(await rotate.Content.ReadAsStringAsync())!["password"]!.GetValue<string>();
        Assert.NotEqual(first, second);

        await using (var old = await Connect("qiaofeng/T4", first))
        {
            Assert.Equal(MqttClientConnectResultCode.BadUserNameOrPassword, old.Result.ResultCode);
        }

        await using var current = await Connect("qiaofeng/T4", second);
        Assert.True(current.Connected);
    }

    [Theory]
    [InlineData("ib/#")]
    [InlineData("#")]
    [InlineData("ib/other/T1/reject")]
    [InlineData("ib/+/+/count")]
    public async Task A_terminal_cannot_listen_to_others(string filter)
    {
        await using var terminal = await Connect("qiaofeng/T1");
        Assert.Equal(MqttClientSubscribeResultCode.NotAuthorized, await terminal.TrySubscribe(filter));
    }

    [Fact]
    public async Task A_terminal_cannot_join_the_brains_shared_subscription()
    {
        await using var terminal = await Connect("qiaofeng/T1");
        // MQTTnet's server refuses shared subscriptions before the rights are asked.
        Assert.Equal(MqttClientSubscribeResultCode.SharedSubscriptionsNotSupported, await terminal.TrySubscribe("$share/industry-brain/ib/+/+/count"));
    }

    [Fact]
    public async Task A_terminal_cannot_take_over_another_terminals_session()
    {
        await using var owner = await Connect("other/T1", clientId: "shared-client-id");
        Assert.True(owner.Connected);
        await using var intruder = await Connect("qiaofeng/T1", clientId: "shared-client-id");
        Assert.Equal(MqttClientConnectResultCode.ClientIdentifierNotValid, intruder.Result.ResultCode);
        Assert.True(owner.Client.IsConnected);
        Assert.True(await owner.Client.TryPingAsync());
    }

    [Fact]
    public async Task A_packet_declaring_200_MB_closes_its_connection_before_anything_is_read()
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(IPAddress.Loopback, Silo.MqttPort);
        // A CONNECT packet whose remaining length says 200,000,000 bytes; none of them follow.
        const int Length = 200_000_000;
        byte[] header = [0x10, Length % 128 | 0x80, (Length / 128) % 128 | 0x80, (Length / 16384) % 128 | 0x80, Length / 2097152];
        await socket.SendAsync(header);
        var buffer = new byte[16];
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var read = await socket.ReceiveAsync(buffer, timeout.Token);
        Assert.Equal(0, read);
        await Silo.Ok(HttpMethod.Get, "/health", null);
    }
}
