using IndustryBrain.Silo.Security;

namespace IndustryBrain.Tests.Security;

public sealed class TerminalRightsTests
{
    [Theory]
    [InlineData("ib/qiaofeng/T1/count")]
    [InlineData("ib/qiaofeng/T1/status")]
    public void A_terminal_publishes_its_own_counts_and_status(string topic) => Assert.Null(TerminalRights.PublishProblem("qiaofeng/T1", topic));

    [Theory]
    [InlineData("ib/other/T1/count")]
    [InlineData("ib/qiaofeng/T2/count")]
    [InlineData("ib/qiaofeng/T1/reject")]
    [InlineData("ib/qiaofeng/T1/count/more")]
    [InlineData("ib/qiaofeng/T1/other")]
    [InlineData("ib/qiaofeng/T1")]
    [InlineData("ib/qiaofeng/T10/count")]
    [InlineData("ib/brain/state")]
    [InlineData("elsewhere/qiaofeng/T1/count")]
    [InlineData("ib/qiaofeng/T1/count ")]
    public void A_terminal_publishes_nothing_else(string topic) =>
        Assert.NotNull(TerminalRights.PublishProblem("qiaofeng/T1", topic));

    [Theory]
    [InlineData("ib/brain/state")]
    [InlineData("ib/qiaofeng/T1/reject")]
    [InlineData("ib/brain")]
    public void Not_even_an_anonymous_client_publishes_the_brains_topics(string topic) =>
        Assert.NotNull(TerminalRights.PublishProblem(null, topic));

    [Theory]
    [InlineData("ib/qiaofeng/T1/count")]
    [InlineData("ib/other/T7/status")]
    [InlineData("test/anything")]
    public void An_anonymous_client_on_a_trusted_network_publishes_the_rest(string topic) =>
        Assert.Null(TerminalRights.PublishProblem(null, topic));

    [Theory]
    [InlineData("ib/qiaofeng/T1/reject", true)]
    [InlineData("ib/qiaofeng/T1/#", true)]
    [InlineData("ib/brain/state", true)]
    [InlineData("ib/#", false)]
    [InlineData("#", false)]
    [InlineData("ib/+/T1/reject", false)]
    [InlineData("ib/qiaofeng/+/reject", false)]
    [InlineData("ib/other/T1/reject", false)]
    [InlineData("ib/qiaofeng/T1/", false)]
    [InlineData("$share/g/ib/qiaofeng/T1/count", false)]
    public void A_terminal_subscribes_only_to_its_own_topics_and_the_brains_state(string filter, bool allowed) =>
        Assert.Equal(allowed, TerminalRights.SubscribeProblem("qiaofeng/T1", filter) is null);

    [Theory]
    [InlineData("qiaofeng/T1", true)]
    [InlineData("qiaofeng/T1/x", false)]
    [InlineData("qiaofeng", false)]
    [InlineData("/T1", false)]
    [InlineData("qiaofeng/", false)]
    [InlineData("$brain", false)]
    [InlineData("qiao feng/T1", false)]
    public void A_username_is_an_enterprise_and_a_terminal(string username, bool valid) =>
        Assert.Equal(valid, TerminalVerifier.TryParseUsername(username, out _, out _));
}
