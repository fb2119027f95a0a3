using IndustryBrain.Silo.Epoch;

namespace IndustryBrain.Tests.Cluster;

public sealed class SubscriptionGapTests
{
    private const string Epoch = "2026-11-30T08:00:00.000Z";

    [Fact]
    public void A_reconnection_is_a_gap_named_by_the_epoch_in_force_when_the_connection_was_lost()
    {
        Assert.Equal("broker-gap:" + Epoch, SubscriptionGap.RenewalFor(firstConnection: false, otherSilosActive: false, Epoch));

        // Every silo that lost the broker under the same epoch names the same gap, so the store renews it once.
        Assert.Equal(SubscriptionGap.RenewalFor(false, false, Epoch), SubscriptionGap.RenewalFor(false, true, Epoch));
        Assert.NotEqual(SubscriptionGap.RenewalFor(false, false, Epoch), SubscriptionGap.RenewalFor(false, false, "2026-11-30T08:00:00.001Z"));
    }

    [Fact]
    public void The_first_silo_to_come_online_opens_a_gap_and_a_silo_joining_a_running_brain_does_not()
    {
        Assert.Equal("brain-offline:" + Epoch, SubscriptionGap.RenewalFor(firstConnection: true, otherSilosActive: false, Epoch));
        Assert.Null(SubscriptionGap.RenewalFor(firstConnection: true, otherSilosActive: true, Epoch));
    }
}
