using System.Collections.Concurrent;
using System.Threading.RateLimiting;

namespace IndustryBrain.Silo.Security;

/// <summary>
/// Counts wrong secrets per subject (a key id, a terminal's username, a client address) in token buckets of
/// System.Threading.RateLimiting, and tells before any hashing whether a subject has used up its budget
/// (Auth:FailuresPerSecond sustained, Auth:FailureBurst at once). A secret that would have to be hashed for a
/// subject over its budget is refused by rate instead, unhashed: a flood of wrong secrets costs the brain a
/// bucket lookup, not a PBKDF2 each. Right secrets use up nothing and make no bucket: only subjects that
/// failed are looked up, and a subject whose bucket is full again is forgotten (the limiter drops the bucket).
/// </summary>
public sealed class FailureThrottle : IDisposable
{
    private static readonly TimeSpan SweepEvery = TimeSpan.FromSeconds(10);
    private readonly PartitionedRateLimiter<string>? _limiter;
    private readonly ConcurrentDictionary<string, byte> _failing = new(StringComparer.Ordinal);
    private readonly TimeSpan _retryAfter;
    private readonly int _burst;
    private long _sweptAt = Environment.TickCount64;

    public FailureThrottle(double perSecond, int burst)
    {
        if (perSecond <= 0)
        {
            return;
        }

        // One token back every 1/perSecond seconds (at most every 100 ms, the limiter's own tick).
        var period = TimeSpan.FromSeconds(Math.Max(0.1, 1 / perSecond));
        var perPeriod = Math.Max(1, (int)Math.Round(perSecond * period.TotalSeconds));
        _retryAfter = TimeSpan.FromSeconds(Math.Max(1, Math.Ceiling(1 / perSecond)));
        _burst = Math.Max(1, burst);
        var bucket = new TokenBucketRateLimiterOptions
        {
            TokenLimit = _burst,
            TokensPerPeriod = perPeriod,
            ReplenishmentPeriod = period,
            QueueLimit = 0,
            AutoReplenishment = true,
        };
        _limiter = PartitionedRateLimiter.Create<string, string>(subject => RateLimitPartition.GetTokenBucketLimiter(subject, _ => bucket));
    }

    public bool Enabled => _limiter is not null;

    /// <summary>Null when secrets of these subjects may be checked now; otherwise how long to wait before trying again.</summary>
    public TimeSpan? Refusal(string first, string? second = null)
    {
        if (_limiter is null)
        {
            return null;
        }

        return Exhausted(first) || (second is not null && Exhausted(second)) ? _retryAfter : null;
    }

    /// <summary>Counts a wrong secret against these subjects.</summary>
    public void Failed(string first, string? second = null)
    {
        if (_limiter is null)
        {
            return;
        }

        Sweep();
        _failing[first] = 0;
        _limiter.AttemptAcquire(first).Dispose();
        if (second is not null)
        {
            _failing[second] = 0;
            _limiter.AttemptAcquire(second).Dispose();
        }
    }

    /// <summary>Subjects that failed lately (tests look at it).</summary>
    internal int Failing => _failing.Count;

    private bool Exhausted(string subject) =>
        _failing.ContainsKey(subject) && _limiter!.GetStatistics(subject) is { CurrentAvailablePermits: <= 0 };

    /// <summary>At most every <see cref="SweepEvery"/>: forgets the subjects whose budget is whole again.</summary>
    private void Sweep()
    {
        var now = Environment.TickCount64;
        var last = Interlocked.Read(ref _sweptAt);
        if (now - last < SweepEvery.TotalMilliseconds || Interlocked.CompareExchange(ref _sweptAt, now, last) != last)
        {
            return;
        }

        foreach (var subject in _failing.Keys)
        {
            if (_limiter!.GetStatistics(subject) is not { CurrentAvailablePermits: var left } || left >= _burst)
            {
                _failing.TryRemove(subject, out _);
            }
        }
    }

    public void Dispose() => _limiter?.Dispose();
}

/// <summary>What checking a secret found: who it belongs to (null: nobody), or that it was not checked because of too many wrong ones.</summary>
public readonly record struct SecretCheck<T>(T? Value, TimeSpan? RetryAfter)
    where T : class
{
    public bool Throttled => RetryAfter is not null;

    public static SecretCheck<T> Wrong => new(null, null);
}
