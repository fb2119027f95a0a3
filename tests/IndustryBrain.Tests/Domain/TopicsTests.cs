using IndustryBrain.Contracts;
using IndustryBrain.Silo.Ingest;
using IndustryBrain.Silo.Mqtt;
using MQTTnet.Protocol;

namespace IndustryBrain.Tests.Domain;

public sealed class TopicsTests
{
    [Theory]
    [InlineData("ib/qiaofeng/T1/count", TopicKind.Count, "qiaofeng", "T1")]
    [InlineData("ib/qiaofeng/T1/status", TopicKind.Status, "qiaofeng", "T1")]
    [InlineData("ib/a.b_c-1/rough-grind.01/count", TopicKind.Count, "a.b_c-1", "rough-grind.01")]
    public void A_terminal_topic_names_its_kind_enterprise_and_terminal(string topic, TopicKind kind, string enterprise, string terminal)
    {
        Assert.True(Topics.TryParse(topic, out var parsedKind, out var parsedEnterprise, out var parsedTerminal, out var badId));

        Assert.Equal((kind, enterprise, terminal), (parsedKind, parsedEnterprise, parsedTerminal));
        Assert.Null(badId);
    }

    [Theory]
    [InlineData("ib/brain/state")]
    [InlineData("ib/qiaofeng/T1/reject")]
    [InlineData("ib/qiaofeng/T1/counts")]
    [InlineData("ib/qiaofeng/T1/Count")]
    [InlineData("ib/qiaofeng/count")]
    [InlineData("ib/qiaofeng/T1/count/extra")]
    [InlineData("ib/qiaofeng/T1/")]
    [InlineData("IB/qiaofeng/T1/count")]
    [InlineData("xb/qiaofeng/T1/count")]
    [InlineData("/ib/qiaofeng/T1/count")]
    [InlineData("ib")]
    [InlineData("")]
    public void Any_other_topic_is_not_the_ingests(string topic) =>
        Assert.False(Topics.TryParse(topic, out _, out _, out _, out _));

    [Theory]
    [InlineData("ib//T1/count", "", "T1", "enterprise is missing")]
    [InlineData("ib/qiaofeng//status", "qiaofeng", "", "terminal is missing")]
    [InlineData("ib/qiao feng/T1/count", "qiao feng", "T1", "enterprise 'qiao feng' has characters outside [A-Za-z0-9._-]")]
    [InlineData("ib/巧锋/T1/count", "巧锋", "T1", "enterprise '巧锋' has characters outside [A-Za-z0-9._-]")]
    [InlineData("ib/qiaofeng/T$1/count", "qiaofeng", "T$1", "terminal 'T$1' has characters outside [A-Za-z0-9._-]")]
    [InlineData("ib/qiaofeng/xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx/count", "qiaofeng",
        "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx", "terminal is longer than 64 characters")]
    public void A_terminal_topic_with_a_bad_id_is_recognised_and_says_why(string topic, string enterprise, string terminal, string why)
    {
        Assert.True(Topics.TryParse(topic, out _, out var parsedEnterprise, out var parsedTerminal, out var badId));

        Assert.Equal((enterprise, terminal, why), (parsedEnterprise, parsedTerminal, badId));
    }

    [Fact]
    public void Topics_are_built_as_the_contract_names_them()
    {
        Assert.Equal("ib/qiaofeng/T1/count", Topics.Count("qiaofeng", "T1"));
        Assert.Equal("ib/qiaofeng/T1/status", Topics.Status("qiaofeng", "T1"));
        Assert.Equal("ib/qiaofeng/T1/reject", Topics.Reject("qiaofeng", "T1"));
        Assert.Equal("ib/brain/state", Topics.BrainState);
        Assert.Equal("$share/industry-brain/ib/+/+/count", Topics.SharedCount);
        Assert.Equal("$share/industry-brain/ib/+/+/status", Topics.SharedStatus);
    }

    [Theory]
    [InlineData(RejectReasons.MalformedJson, MqttPubAckReasonCode.PayloadFormatInvalid)]
    [InlineData(RejectReasons.InvalidId, MqttPubAckReasonCode.TopicNameInvalid)]
    [InlineData(RejectReasons.TooLarge, MqttPubAckReasonCode.QuotaExceeded)]
    [InlineData(RejectReasons.NotAuthorized, MqttPubAckReasonCode.NotAuthorized)]
    [InlineData(RejectReasons.InvalidField, MqttPubAckReasonCode.ImplementationSpecificError)]
    [InlineData(RejectReasons.CounterDecreased, MqttPubAckReasonCode.ImplementationSpecificError)]
    public void Each_reject_reason_has_its_mqtt5_puback_reason_code(string reason, MqttPubAckReasonCode code) =>
        Assert.Equal(code, EmbeddedBroker.ReasonCode(reason));
}
