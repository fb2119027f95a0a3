using System.Globalization;

namespace IndustryBrain.Domain;

/// <summary>
/// How far a terminal's clock is trusted: a reading's (or status's) <c>ts</c> may lie at most
/// <see cref="MaxAge"/> before and <see cref="MaxAhead"/> after the moment the brain received it. Anything
/// outside is refused (<c>ts-out-of-range</c>): a clock set to year 9999 or 0001 never reaches an order.
/// No arithmetic here can throw, whatever the two times: the difference of two DateTimeOffsets (at most
/// 10,000 years) always fits a TimeSpan (29,000 years).
/// </summary>
public sealed record TimestampWindow(TimeSpan MaxAge, TimeSpan MaxAhead)
{
    /// <summary>30 days back (a terminal that buffered while offline, a brain stopped for a while), 5 minutes ahead (clock drift).</summary>
    public static readonly TimestampWindow Default = new(TimeSpan.FromDays(30), TimeSpan.FromMinutes(5));

    /// <summary>Null when <paramref name="ts"/> is within the window around <paramref name="receivedAt"/>; otherwise why not.</summary>
    public string? Problem(DateTimeOffset ts, DateTimeOffset receivedAt)
    {
        var ahead = ts.UtcDateTime - receivedAt.UtcDateTime;
        if (ahead > MaxAhead)
        {
            return $"ts {Text(ts)} is more than {Describe(MaxAhead)} ahead of the brain's clock ({Text(receivedAt)})";
        }

        if (ahead < -MaxAge)
        {
            return $"ts {Text(ts)} is more than {Describe(MaxAge)} before the brain's clock ({Text(receivedAt)})";
        }

        return null;
    }

    private static string Text(DateTimeOffset at) => at.ToString("yyyy-MM-ddTHH:mm:ssK", CultureInfo.InvariantCulture);

    private static string Describe(TimeSpan span) =>
        span.TotalDays >= 1 && span.TotalDays == Math.Floor(span.TotalDays) ? $"{span.TotalDays:0} days"
        : span.TotalMinutes >= 1 && span.TotalMinutes == Math.Floor(span.TotalMinutes) ? $"{span.TotalMinutes:0} minutes"
        : $"{span.TotalSeconds:0.###} seconds";
}
