namespace IndustryBrain.Silo.Mqtt;

/// <summary>
/// Reads the broker's cumulative count of dropped messages ($SYS, published every sys_interval) and
/// says when a rise calls for a new epoch: once the count has stopped rising for one report (so the
/// terminals' resend is not dropped in turn), or after <see cref="MaxWait"/> of steady rises.
/// A retained report (the value the broker held when this silo subscribed) is the baseline; the broker
/// publishes the counter only when it changes, so a first live report rises from zero. A count that goes
/// down means the broker restarted.
/// </summary>
public sealed class BrokerDrops
{
    public static readonly TimeSpan MaxWait = TimeSpan.FromSeconds(30);

    private long? _settled;
    private long _latest;
    private DateTimeOffset? _risingSince;

    /// <summary>Drops the broker reported since this silo first looked.</summary>
    public long Seen { get; private set; }

    /// <summary>Takes one report; answers the count to answer with a new epoch, or null.</summary>
    public long? Observe(long count, bool retained, DateTimeOffset now)
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
            _risingSince ??= now;
            return now - _risingSince >= MaxWait ? Settle() : null;
        }

        return _latest > _settled ? Settle() : null;
    }

    private long Settle()
    {
        _settled = _latest;
        _risingSince = null;
        return _latest;
    }
}
