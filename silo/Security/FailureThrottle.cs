using System.Threading.RateLimiting;

namespace IndustryBrain.Silo.Security;

/// <summary>
/// Counts wrong secrets per subject (a key id, a terminal's username, a client address) in token buckets of
/// System.Threading.RateLimiting, and tells before any hashing whether a subject has used up its budget
/// (Auth:FailuresPerSecond sustained, Auth:FailureBurst at once). A secret that would have to be hashed for a
/// subject over its budget is refused by rate instead, unhashed: a flood of wrong secrets costs the brain a
/// bucket lookup, not a PBKDF2 each. Right secrets use up nothing; idle buckets are dropped by the limiter.
/// </summary>
public sealed class FailureThrottle : IDisposable
{
    private readonly PartitionedRateLimiter<string>? _limiter;
    private readonly TimeSpan _retryAfter;

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
        var bucket = new TokenBucketRateLimiterOptions
        {
            TokenLimit = Math.Max(1, burst),
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

        _limiter.AttemptAcquire(first).Dispose();
        if (second is not null)
        {
            _limiter.AttemptAcquire(second).Dispose();
        }
    }

    private bool Exhausted(string subject) => _limiter!.GetStatistics(subject) is { CurrentAvailablePermits: <= 0 };

    public void Dispose() => _limiter?.Dispose();
}

/// <summary>What checking a secret found: who it belongs to (null: nobody), or that it was not checked because of too many wrong ones.</summary>
public readonly record struct SecretCheck<T>(T? Value, TimeSpan? RetryAfter)
    where T : class
{
    public bool Throttled => RetryAfter is not null;

    public static SecretCheck<T> Wrong => new(null, null);
}
