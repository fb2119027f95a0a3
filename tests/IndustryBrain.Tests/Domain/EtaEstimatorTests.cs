using IndustryBrain.Domain;

namespace IndustryBrain.Tests.Domain;

public sealed class EtaEstimatorTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 22, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Without_observations_there_is_no_rate_and_no_eta()
    {
        var eta = new EtaEstimator();

        Assert.Null(eta.Rate());
        Assert.Null(eta.Eta());
        Assert.Null(eta.Latest);
    }

    [Fact]
    public void One_observation_is_no_evidence_of_a_rate()
    {
        var eta = new EtaEstimator();
        eta.Observe(T0, 0.25);

        Assert.Null(eta.Rate());
        Assert.Null(eta.Eta());
    }

    [Fact]
    public void The_rate_is_the_slope_from_the_oldest_anchor_to_the_latest_observation()
    {
        var eta = new EtaEstimator();
        eta.Observe(T0, 0.25);
        eta.Observe(T0.AddSeconds(128), 0.5);

        Assert.Equal(0.25 / 128, eta.Rate());
        // 0.5 left at 1/512 per second: 256 seconds after the latest observation.
        Assert.Equal(T0.AddSeconds(384), eta.Eta());
    }

    [Fact]
    public void The_eta_of_a_linear_curve_is_exact()
    {
        var eta = new EtaEstimator();
        for (var t = 0; t <= 512; t += 32)
        {
            eta.Observe(T0.AddSeconds(t), t / 1024.0);
        }

        Assert.Equal(1 / 1024.0, eta.Rate());
        Assert.Equal(T0.AddSeconds(1024), eta.Eta());
    }

    [Fact]
    public void Anchors_are_at_least_a_minute_apart()
    {
        var eta = new EtaEstimator();
        for (var t = 0; t <= 300; t += 20)
        {
            eta.Observe(T0.AddSeconds(t), t / 1000.0);
        }

        Assert.Equal([0, 60, 120, 180, 240, 300], eta.Anchors.Select(a => (int)(a.At - T0).TotalSeconds));
    }

    [Fact]
    public void Only_the_most_recent_sixteen_anchors_are_kept_so_the_rate_follows_the_recent_pace()
    {
        var eta = new EtaEstimator();
        // Slow for 20 minutes (1/4096 per second), then fast (1/1024 per second) for 16 minutes.
        var t = 0;
        var progress = 0.0;
        for (; t < 1200; t += 60)
        {
            eta.Observe(T0.AddSeconds(t), progress);
            progress += 60 / 4096.0;
        }

        for (; t <= 1200 + 960; t += 60)
        {
            eta.Observe(T0.AddSeconds(t), progress);
            progress += 60 / 1024.0;
        }

        Assert.Equal(EtaEstimator.MaxAnchors, eta.Anchors.Count);
        Assert.Equal(T0.AddSeconds(1260), eta.Anchors[0].At);
        Assert.Equal(1 / 1024.0, eta.Rate()!.Value, 12);
    }

    [Fact]
    public void An_observation_older_than_the_latest_is_placed_at_the_latest_time()
    {
        var eta = new EtaEstimator();
        eta.Observe(T0, 0.25);
        eta.Observe(T0.AddSeconds(128), 0.375);

        eta.Observe(T0.AddSeconds(64), 0.5);

        Assert.Equal(new ProgressSample(T0.AddSeconds(128), 0.5), eta.Latest);
        Assert.Equal(2, eta.Anchors.Count);
        Assert.Equal(0.25 / 128, eta.Rate());
        Assert.Equal(T0.AddSeconds(384), eta.Eta());
    }

    [Fact]
    public void Progress_that_does_not_rise_gives_no_rate()
    {
        var flat = new EtaEstimator();
        flat.Observe(T0, 0.5);
        flat.Observe(T0.AddMinutes(10), 0.5);

        var falling = new EtaEstimator();
        falling.Observe(T0, 0.5);
        falling.Observe(T0.AddMinutes(10), 0.25);

        Assert.Null(flat.Rate());
        Assert.Null(flat.Eta());
        Assert.Null(falling.Rate());
        Assert.Null(falling.Eta());
    }

    [Fact]
    public void Less_than_a_second_of_history_gives_no_rate()
    {
        var eta = new EtaEstimator();
        eta.Observe(T0, 0.25);
        eta.Observe(T0.AddMilliseconds(999), 0.5);

        Assert.Null(eta.Rate());
    }

    [Fact]
    public void A_finished_curve_has_its_eta_at_the_latest_observation()
    {
        var eta = new EtaEstimator();
        eta.Observe(T0, 0.9);
        eta.Observe(T0.AddMinutes(5), 1.0);

        Assert.Equal(T0.AddMinutes(5), eta.Eta());
    }

    [Fact]
    public void A_rate_too_slow_to_ever_finish_gives_no_eta()
    {
        var eta = new EtaEstimator();
        eta.Observe(T0, 0.0);
        eta.Observe(T0.AddDays(1), 1e-9);

        Assert.NotNull(eta.Rate());
        Assert.Null(eta.Eta());
    }

    [Fact]
    public void An_estimator_rebuilt_from_its_anchors_and_latest_gives_the_same_eta()
    {
        var eta = new EtaEstimator();
        for (var t = 0; t <= 512; t += 32)
        {
            eta.Observe(T0.AddSeconds(t), t / 1024.0);
        }

        var rebuilt = new EtaEstimator([.. eta.Anchors], eta.Latest);

        Assert.Equal(eta.Anchors, rebuilt.Anchors);
        Assert.Equal(eta.Eta(), rebuilt.Eta());
        Assert.Equal(T0.AddSeconds(1024), rebuilt.Eta());
    }

    [Theory]
    [InlineData(0.1, 0.2)]
    [InlineData(0.5, 1.0)]
    [InlineData(1e-9, 2e-9)]
    public void Observations_at_the_edge_of_time_give_no_eta_rather_than_an_overflow(double first, double second)
    {
        var eta = new EtaEstimator();
        eta.Observe(new DateTimeOffset(9999, 12, 31, 23, 0, 0, TimeSpan.Zero), first);
        eta.Observe(new DateTimeOffset(9999, 12, 31, 23, 59, 59, TimeSpan.Zero), second);

        var projected = eta.Eta();

        // An answer, if any, can still be shown in any time zone.
        Assert.True(projected is null || projected.Value.ToOffset(TimeSpan.FromHours(14)) > DateTimeOffset.MinValue);
    }

    [Fact]
    public void A_curve_from_the_beginning_of_time_gives_an_eta_that_can_be_shown()
    {
        var eta = new EtaEstimator();
        eta.Observe(DateTimeOffset.MinValue, 0.0);
        eta.Observe(DateTimeOffset.MinValue.AddSeconds(10), 0.0001);
        eta.Observe(T0, 0.0002);

        var projected = eta.Eta();

        Assert.True(projected is null || projected.Value.ToOffset(TimeSpan.FromHours(-14)) < DateTimeOffset.MaxValue);
    }

    [Fact]
    public void An_estimator_restored_from_its_snapshot_projects_the_same_eta()
    {
        var eta = new EtaEstimator();
        for (var minute = 0; minute <= 20; minute++)
        {
            eta.Observe(T0.AddMinutes(minute), minute * 0.02);
        }

        var (anchors, latest) = eta.Snapshot();
        var restored = EtaEstimator.Restore(anchors, latest, T0.AddDays(1));

        Assert.Equal(eta.Anchors, restored.Anchors);
        Assert.Equal(eta.Latest, restored.Latest);
        Assert.Equal(eta.Eta(), restored.Eta());
    }
}
