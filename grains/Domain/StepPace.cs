namespace IndustryBrain.Domain;

/// <summary>
/// Each routing step's recent rate in good pieces an hour: per step, anchors at least <see cref="EtaEstimator.Spacing"/>
/// apart (at most <see cref="EtaEstimator.MaxAnchors"/>) and the latest count; the rate is the slope from the oldest
/// anchor to the latest count, as <see cref="EtaEstimator"/> draws the order's. Kept in memory only.
/// </summary>
public sealed class StepPace
{
    private readonly Dictionary<string, List<(DateTimeOffset At, long Good)>> _anchors = new(StringComparer.Ordinal);
    private readonly Dictionary<string, (DateTimeOffset At, long Good)> _latest = new(StringComparer.Ordinal);

    public void Observe(string step, DateTimeOffset at, long good)
    {
        if (_latest.TryGetValue(step, out var latest) && at < latest.At)
        {
            at = latest.At;
        }

        _latest[step] = (at, good);
        if (!_anchors.TryGetValue(step, out var anchors))
        {
            _anchors[step] = anchors = [];
        }

        if (anchors.Count == 0 || at - anchors[^1].At >= EtaEstimator.Spacing)
        {
            anchors.Add((at, good));
            if (anchors.Count > EtaEstimator.MaxAnchors)
            {
                anchors.RemoveAt(0);
            }
        }
    }

    /// <summary>Good pieces an hour over the recent window, or null without evidence of a rate.</summary>
    public double? RatePerHour(string step)
    {
        if (!_anchors.TryGetValue(step, out var anchors) || anchors.Count == 0 || !_latest.TryGetValue(step, out var latest))
        {
            return null;
        }

        var hours = (latest.At - anchors[0].At).TotalHours;
        var gained = latest.Good - anchors[0].Good;
        return hours >= 1.0 / 3600 && gained > 0 ? gained / hours : null;
    }
}
