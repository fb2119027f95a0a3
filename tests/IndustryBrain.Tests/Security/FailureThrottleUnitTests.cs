using IndustryBrain.Silo.Security;

namespace IndustryBrain.Tests.Security;

/// <summary>The budget of wrong secrets per subject.</summary>
public sealed class FailureThrottleUnitTests
{
    [Fact]
    public void Beyond_its_burst_a_subject_is_refused_and_others_are_not()
    {
        using var throttle = new FailureThrottle(perSecond: 0.01, burst: 3);
        for (var i = 0; i < 3; i++)
        {
            Assert.Null(throttle.Refusal("key:k1", "address:10.0.0.1"));
            throttle.Failed("key:k1", "address:10.0.0.1");
        }

        Assert.Equal(TimeSpan.FromSeconds(100), throttle.Refusal("key:k1", "address:10.0.0.2"));
        Assert.Equal(TimeSpan.FromSeconds(100), throttle.Refusal("key:k2", "address:10.0.0.1"));
        Assert.Null(throttle.Refusal("key:k2", "address:10.0.0.2"));
    }

    [Fact]
    public void A_rate_of_zero_turns_it_off()
    {
        using var throttle = new FailureThrottle(perSecond: 0, burst: 1);
        for (var i = 0; i < 10; i++)
        {
            throttle.Failed("key:k1");
        }

        Assert.False(throttle.Enabled);
        Assert.Null(throttle.Refusal("key:k1"));
    }

    [Fact]
    public void Subjects_that_only_ever_gave_right_secrets_are_not_kept()
    {
        using var throttle = new FailureThrottle(perSecond: 0.01, burst: 3);
        for (var i = 0; i < 1_000; i++)
        {
            Assert.Null(throttle.Refusal($"terminal:firm/T{i}", $"address:10.0.{i / 250}.{i % 250}"));
        }

        Assert.Equal(0, throttle.Failing);
        throttle.Failed("terminal:firm/T7", "address:10.0.0.7");
        Assert.Equal(2, throttle.Failing);
    }
}
