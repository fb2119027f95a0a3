using System.Collections.Concurrent;
using System.Diagnostics;

namespace IndustryBrain.Silo.Mqtt;

/// <summary>
/// The per-terminal publish rate limit: a token bucket per terminal (its username, or its client id when
/// anonymous). A terminal over its rate is not refused but slowed: its next publish waits, and since the
/// broker reads each connection's packets one at a time, TCP holds the sender back. Nothing is lost.
/// </summary>
public sealed class PublishThrottle(int perSecond, int burst)
{
    private readonly ConcurrentDictionary<string, Bucket> _buckets = new(StringComparer.Ordinal);

    public bool Enabled => perSecond > 0;

    /// <summary>How long this publish must wait; zero when the terminal is within its rate.</summary>
    public TimeSpan Take(string terminal)
    {
        if (perSecond <= 0)
        {
            return TimeSpan.Zero;
        }

        var bucket = _buckets.GetOrAdd(terminal, static (_, size) => new Bucket(size), Math.Max(1, burst));
        return bucket.Take(perSecond, Math.Max(1, burst));
    }

    /// <summary>Forgets a terminal that disconnected.</summary>
    public void Forget(string terminal) => _buckets.TryRemove(terminal, out _);

    private sealed class Bucket(int size)
    {
        private readonly Lock _lock = new();
        private double _tokens = size;
        private long _at = Stopwatch.GetTimestamp();

        public TimeSpan Take(int perSecond, int size)
        {
            lock (_lock)
            {
                var now = Stopwatch.GetTimestamp();
                _tokens = Math.Min(size, _tokens + (Stopwatch.GetElapsedTime(_at, now).TotalSeconds * perSecond));
                _at = now;
                _tokens -= 1;
                return _tokens >= 0 ? TimeSpan.Zero : TimeSpan.FromSeconds(-_tokens / perSecond);
            }
        }
    }
}
