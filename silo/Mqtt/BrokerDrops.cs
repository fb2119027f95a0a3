namespace IndustryBrain.Silo.Mqtt;

/// <summary>
/// Reads the broker's cumulative count of dropped messages ($SYS) and says when a rise calls for a new
/// epoch: once the count has stopped rising for <see cref="Quiet"/> (so the terminals' resend is not
/// dropped in turn), or after <see cref="MaxWait"/> of steady rises. Mosquitto publishes the counter only
/// when it changes: a retained report (the value held when this silo subscribed) is the baseline, a
/// first live report rises from zero, and a count that goes down means the broker restarted.
/// </summary>
public sealed class BrokerDrops
{
    public static readonly TimeSpan Quiet = TimeSpan.FromSeconds(3);
    public static readonly TimeSpan MaxWait = TimeSpan.FromSeconds(30);

    private readonly Lock _lock = new();
    private long? _settled;
    private long _latest;
    private DateTimeOffset? _risingSince;
    private DateTimeOffset _lastRise;

    /// <summary>Drops the broker reported since this silo first looked.</summary>
    public long Seen { get; private set; }

    /// <summary>Takes one report; answers the count to answer with a new epoch, or null.</summary>
    public long? Observe(long count, bool retained, DateTimeOffset now)
    {
        lock (_lock)
        {
            if (_settled is null && !retained)
            {
                _settled = _latest = 0;
            }

            if (_settled is null || retained || count < _latest)
            {
                _settled = _latest = count;
                _risingSince = null;
                return null;
            }

            if (count > _latest)
            {
                Seen += count - _latest;
                _latest = count;
                _lastRise = now;
                _risingSince ??= now;
                return now - _risingSince >= MaxWait ? Settle() : null;
            }

            return Due(now);
        }
    }

    /// <summary>Asked about once a second: the count to answer when the rise has stopped, or null.</summary>
    public long? Due(DateTimeOffset now)
    {
        lock (_lock)
        {
            return _settled is { } settled && _latest > settled && now - _lastRise >= Quiet ? Settle() : null;
        }
    }

    private long Settle()
    {
        _settled = _latest;
        _risingSince = null;
        return _latest;
    }
}
