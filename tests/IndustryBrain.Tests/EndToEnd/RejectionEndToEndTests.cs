using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using IndustryBrain.Tests.Infrastructure;
using MQTTnet;
using static IndustryBrain.Tests.EndToEnd.Contract;

namespace IndustryBrain.Tests.EndToEnd;

/// <summary>
/// Every reason a message is refused: answered on the terminal's reject topic with the contract's JSON,
/// with the matching MQTT 5 PUBACK reason code, kept in GET /api/rejects, and nothing stored changes.
/// </summary>
[Collection(ValidationSilo.Name)]
public sealed class RejectionEndToEndTests(SharedBrain brain) : IAsyncLifetime
{
    private readonly string _enterprise = NewEnterprise("rejects");
    private MqttTerminal _t1 = null!;
    private string _baseline = "";

    private string Order => OrderPath(_enterprise, "QF-2611-0042");

    public async Task InitializeAsync()
    {
        await Register(brain, _enterprise);
        await PlanOrder(brain, _enterprise, "QF-2611-0042", 18225, DateTimeOffset.UtcNow.AddDays(5), "rough-grind", "pack");
        _t1 = await MqttTerminal.Connect(brain.MqttPort, _enterprise, "T1");
        await _t1.Subscribe(_t1.RejectTopic);
        await _t1.Count(Reading("QF-2611-0042", "rough-grind", 1042, 8642, 3));
        _baseline = (await brain.Until(Order, Shows(("rough-grind", 8642, 3)), "rough-grind 8642/3")).GetRawText();
    }

    public async Task DisposeAsync() => await _t1.DisposeAsync();

    private sealed record Refused(MqttClientPublishResult Ack, JsonElement Reply, JsonElement Logged);

    /// <summary>Publishes what must be refused for <paramref name="reason"/>; returns the PUBACK, the reply and the logged rejection.</summary>
    private async Task<Refused> Refuse(string topic, byte[] payload, string reason)
    {
        var ack = await _t1.Publish(topic, payload);
        var reply = JsonDocument.Parse((await _t1.Next(_t1.RejectTopic)).Payload).RootElement.Clone();
        var logged = await Logged(reason);

        // Nothing stored changed.
        Assert.Equal(_baseline, (await brain.Get(Order)).GetRawText());
        return new Refused(ack, reply, logged);
    }

    private async Task<JsonElement> Logged(string reason, string terminal = "T1")
    {
        var rejects = await brain.Until($"api/rejects?enterprise={_enterprise}",
            r => r.EnumerateArray().Any(x => x.GetProperty("reason").GetString() == reason && x.GetProperty("terminal").GetString() == terminal),
            $"a {reason} rejection of {terminal}");
        return rejects.EnumerateArray().First(x => x.GetProperty("reason").GetString() == reason && x.GetProperty("terminal").GetString() == terminal);
    }

    /// <summary>The reply is exactly {"reason","seq","detail"} and the log says the same of the same terminal.</summary>
    private void AssertAnswered(Refused refused, string reason, long? seq, string? detail)
    {
        Assert.Equal(["reason", "seq", "detail"], refused.Reply.EnumerateObject().Select(p => p.Name));
        Assert.Equal(reason, refused.Reply.GetProperty("reason").GetString());
        Assert.Equal(seq?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "null", Text(refused.Reply, "seq"));
        if (detail is not null)
        {
            Assert.Equal(detail, refused.Reply.GetProperty("detail").GetString());
        }

        Assert.False(string.IsNullOrWhiteSpace(refused.Reply.GetProperty("detail").GetString()));
        Assert.Equal(
            (_enterprise, "T1", reason, Text(refused.Reply, "seq"), refused.Reply.GetProperty("detail").GetString()),
            (refused.Logged.GetProperty("enterprise").GetString(), refused.Logged.GetProperty("terminal").GetString(),
             refused.Logged.GetProperty("reason").GetString(), Text(refused.Logged, "seq"), refused.Logged.GetProperty("detail").GetString()));
        Assert.True(refused.Logged.GetProperty("at").GetDateTimeOffset() > DateTimeOffset.UtcNow.AddMinutes(-10));
    }

    [Fact]
    public async Task Malformed_json_is_refused_with_payload_format_invalid()
    {
        var refused = await Refuse(_t1.CountTopic, Encoding.UTF8.GetBytes("""{"order":"QF-2611-0042","step":"""), "malformed-json");

        AssertAnswered(refused, "malformed-json", null, null);
        Assert.Equal(MqttClientPublishReasonCode.PayloadFormatInvalid, refused.Ack.ReasonCode);
        Assert.Equal("malformed-json", refused.Ack.ReasonString);
    }

    [Fact]
    public async Task A_field_out_of_range_is_an_invalid_field_with_an_implementation_specific_error()
    {
        var refused = await Refuse(_t1.CountTopic,
            Encoding.UTF8.GetBytes("""{"order":"QF-2611-0042","step":"rough-grind","seq":1043,"good":-1}"""), "invalid-field");

        AssertAnswered(refused, "invalid-field", 1043, "good -1 is outside 0..1000000000");
        Assert.Equal(MqttClientPublishReasonCode.ImplementationSpecificError, refused.Ack.ReasonCode);
        Assert.Equal("invalid-field", refused.Ack.ReasonString);
    }

    [Fact]
    public async Task A_missing_field_is_an_invalid_field()
    {
        var refused = await Refuse(_t1.CountTopic, Encoding.UTF8.GetBytes("""{"order":"QF-2611-0042","step":"rough-grind","seq":1044}"""), "invalid-field");

        AssertAnswered(refused, "invalid-field", 1044, "good is missing");
        Assert.Equal(MqttClientPublishReasonCode.ImplementationSpecificError, refused.Ack.ReasonCode);
    }

    [Fact]
    public async Task One_bad_reading_refuses_its_whole_array_so_the_good_ones_beside_it_are_not_applied()
    {
        var payload = "[" + Reading("QF-2611-0042", "rough-grind", 1050, 9000, 3) + ","
            + """{"order":"QF-2611-0042","step":"rough-grind","seq":1051,"good":-5}""" + "]";

        var refused = await Refuse(_t1.CountTopic, Encoding.UTF8.GetBytes(payload), "invalid-field");

        AssertAnswered(refused, "invalid-field", 1051, "reading 1: good -5 is outside 0..1000000000");
    }

    [Fact]
    public async Task An_id_outside_the_alphabet_is_an_invalid_id_with_topic_name_invalid()
    {
        var refused = await Refuse(_t1.CountTopic,
            Encoding.UTF8.GetBytes("""{"seq":1045,"order":"QF 2611","step":"rough-grind","good":9000}"""), "invalid-id");

        AssertAnswered(refused, "invalid-id", 1045, "order 'QF 2611' has characters outside [A-Za-z0-9._-]");
        Assert.Equal(MqttClientPublishReasonCode.TopicNameInvalid, refused.Ack.ReasonCode);
        Assert.Equal("invalid-id", refused.Ack.ReasonString);
    }

    [Fact]
    public async Task A_topic_with_an_id_outside_the_alphabet_is_refused_and_logged()
    {
        var ack = await _t1.Publish($"ib/{_enterprise}/T~1/count", Reading("QF-2611-0042", "rough-grind", 1046, 9000));

        Assert.Equal(MqttClientPublishReasonCode.TopicNameInvalid, ack.ReasonCode);
        var logged = await Logged("invalid-id", "T~1");
        Assert.Equal("terminal 'T~1' has characters outside [A-Za-z0-9._-]", logged.GetProperty("detail").GetString());
        Assert.Equal(_baseline, (await brain.Get(Order)).GetRawText());
    }

    [Fact]
    public async Task A_payload_over_64_KiB_is_too_large_with_quota_exceeded()
    {
        var reading = Reading("QF-2611-0042", "rough-grind", 1047, 9000);
        var payload = reading.Insert(reading.Length - 1, ",\"pad\":\"" + new string('x', 65537 - reading.Length - 9) + "\"");
        Assert.Equal(65537, Encoding.UTF8.GetByteCount(payload));

        var refused = await Refuse(_t1.CountTopic, Encoding.UTF8.GetBytes(payload), "too-large");

        AssertAnswered(refused, "too-large", null, "payload of 65537 bytes is over 65536");
        Assert.Equal(MqttClientPublishReasonCode.QuotaExceeded, refused.Ack.ReasonCode);
        Assert.Equal("too-large", refused.Ack.ReasonString);
    }

    [Fact]
    public async Task More_than_1000_readings_in_one_message_are_too_large()
    {
        var payload = "[" + string.Join(",", Enumerable.Range(2000, 1001).Select(seq =>
            $$"""{"order":"QF-2611-0042","step":"pack","seq":{{seq}},"good":1}""")) + "]";
        Assert.True(Encoding.UTF8.GetByteCount(payload) <= 65536);

        var refused = await Refuse(_t1.CountTopic, Encoding.UTF8.GetBytes(payload), "too-large");

        AssertAnswered(refused, "too-large", null, "more than 1000 readings in one message");
        Assert.Equal(MqttClientPublishReasonCode.QuotaExceeded, refused.Ack.ReasonCode);
    }

    [Fact]
    public async Task A_decreasing_counter_is_answered_with_counter_decreased_and_changes_nothing()
    {
        var refused = await Refuse(_t1.CountTopic, Encoding.UTF8.GetBytes(Reading("QF-2611-0042", "rough-grind", 1043, 8600, 3)), "counter-decreased");

        AssertAnswered(refused, "counter-decreased", 1043, "good 8600 < 8642 in run 0");
    }

    [Fact]
    public async Task A_decreasing_scrap_is_answered_with_counter_decreased()
    {
        var refused = await Refuse(_t1.CountTopic, Encoding.UTF8.GetBytes(Reading("QF-2611-0042", "rough-grind", 1043, 8700, 2)), "counter-decreased");

        AssertAnswered(refused, "counter-decreased", 1043, "scrap 2 < 3 in run 0");
    }

    [Fact]
    public async Task A_decreasing_counter_is_acknowledged_at_the_door_and_refused_on_the_reject_topic()
    {
        // The PUBACK goes out before the order grain sees the reading: waiting for it would stall the
        // terminal's connection (DESIGN's hot-path rule). Refusals decidable at the door carry their
        // reason code in the PUBACK; counter-decreased is answered on the reject topic (docs/architecture.md).
        var ack = await _t1.Publish(_t1.CountTopic, Reading("QF-2611-0042", "rough-grind", 1043, 8600, 3));
        var reply = JsonNode.Parse((await _t1.Next(_t1.RejectTopic)).Payload)!;

        Assert.True(ack.IsSuccess, $"{ack.ReasonCode} {ack.ReasonString}");
        Assert.Equal("counter-decreased", (string?)reply["reason"]);
        Assert.Equal(1043, (long?)reply["seq"]);
        Assert.Equal("good 8600 < 8642 in run 0", (string?)reply["detail"]);
    }

    [Fact]
    public async Task A_bad_status_is_answered_on_the_reject_topic()
    {
        var refused = await Refuse(_t1.StatusTopic, Encoding.UTF8.GetBytes("""{"state":"exploded","seq":3}"""), "invalid-field");

        AssertAnswered(refused, "invalid-field", 3, "state must be one of running, idle, fault, offline");
        Assert.Equal(MqttClientPublishReasonCode.ImplementationSpecificError, refused.Ack.ReasonCode);
    }

    [Fact]
    public async Task An_accepted_reading_after_rejections_still_applies()
    {
        await Refuse(_t1.CountTopic, Encoding.UTF8.GetBytes("nonsense"), "malformed-json");

        await _t1.Count(Reading("QF-2611-0042", "rough-grind", 1043, 8700, 3));

        await brain.Until(Order, Shows(("rough-grind", 8700, 3)), "rough-grind 8700/3");
    }
}
