namespace IndustryBrain.Domain;

/// <summary>A point on an order's progress curve.</summary>
public sealed record ProgressSample(DateTimeOffset At, double Progress);

/// <summary>
/// Projects when an order finishes from its recent rate: anchors at least <see cref="Spacing"/> apart,
/// at most <see cref="MaxAnchors"/> of them, and the latest observation; the rate is the slope from the
/// oldest kept anchor to the latest observation.
/// </summary>
public sealed class EtaEstimator
{
    public static readonly TimeSpan Spacing = TimeSpan.FromSeconds(60);
    public const int MaxAnchors = 16;

    /// <summary>
    /// The ETA is only ever a time that can be shown in any time zone (offsets reach 14 hours): two days
    /// inside DateTimeOffset's range. A projection beyond it is no projection (null), never an overflow.
    /// </summary>
    public static readonly DateTimeOffset Earliest = DateTimeOffset.MinValue.AddDays(2);

    public static readonly DateTimeOffset Last = DateTimeOffset.MaxValue.AddDays(-2);

    private readonly List<ProgressSample> _anchors;

    public EtaEstimator(IEnumerable<ProgressSample>? anchors = null, ProgressSample? latest = null)
    {
        _anchors = anchors?.ToList() ?? [];
        Latest = latest;
    }

    public ProgressSample? Latest { get; private set; }

    /// <summary>
    /// An estimator from saved anchors, without the points dated after <paramref name="notAfter"/>: a curve
    /// drawn from a terminal clock set far ahead (before the brain refused such readings) starts afresh.
    /// </summary>
    public static EtaEstimator Restore(IEnumerable<ProgressSample>? anchors, ProgressSample? latest, DateTimeOffset notAfter)
    {
        var kept = (anchors ?? []).Where(a => a.At <= notAfter).ToList();
        if (latest is not null && latest.At > notAfter)
        {
            latest = kept.Count > 0 ? kept[^1] : null;
        }

        return new EtaEstimator(kept, latest);
    }

    public IReadOnlyList<ProgressSample> Anchors => _anchors;

    /// <summary>The curve as stored: its anchors and latest point (<see cref="Restore"/> takes them back).</summary>
    public (List<ProgressSample> Anchors, ProgressSample? Latest) Snapshot() => ([.. _anchors], Latest);

    public void Observe(DateTimeOffset at, double progress)
    {
        if (Latest is not null && at < Latest.At)
        {
            // Readings arrive out of order; the curve only moves forward in time.
            at = Latest.At;
        }

        Latest = new ProgressSample(at, progress);
        if (_anchors.Count == 0 || at - _anchors[^1].At >= Spacing)
        {
            _anchors.Add(Latest);
            if (_anchors.Count > MaxAnchors)
            {
                _anchors.RemoveAt(0);
            }
        }
    }

    /// <summary>Progress per second over the recent window, or null while there is no evidence of a rate.</summary>
    public double? Rate()
    {
        if (Latest is null || _anchors.Count == 0)
        {
            return null;
        }

        var first = _anchors[0];
        var seconds = (Latest.At - first.At).TotalSeconds;
        var gained = Latest.Progress - first.Progress;
        return seconds >= 1 && gained > 0 ? gained / seconds : null;
    }

    public DateTimeOffset? Eta()
    {
        if (Latest is null)
        {
            return null;
        }

        if (Latest.At < Earliest || Latest.At > Last)
        {
            return null;
        }

        if (Latest.Progress >= 1)
        {
            return Latest.At;
        }

        var rate = Rate();
        if (rate is null)
        {
            return null;
        }

        // Compared in seconds before any date arithmetic: (Last - Latest.At) cannot overflow, AddSeconds then cannot either.
        var seconds = (1 - Latest.Progress) / rate.Value;
        return double.IsFinite(seconds) && seconds >= 0 && seconds <= (Last - Latest.At).TotalSeconds
            ? Latest.At.AddSeconds(seconds)
            : null;
    }
}
