using System.Globalization;

namespace IndustryBrain.Silo.Epoch;

/// <summary>
/// Epochs are UTC instants to the millisecond, "2026-11-22T08:00:00.000Z": they read as times, and they
/// sort as strings in the order they were made, which the Redis store relies on.
/// </summary>
public static class EpochClock
{
    private const string Format = "yyyy-MM-dd'T'HH:mm:ss.fff'Z'";

    public static string Of(DateTimeOffset at) => at.UtcDateTime.ToString(Format, CultureInfo.InvariantCulture);

    /// <summary>The candidate, or one millisecond after <paramref name="current"/> when the candidate is not later.</summary>
    public static string After(string? current, string candidate)
    {
        if (current is null || string.CompareOrdinal(candidate, current) > 0)
        {
            return candidate;
        }

        return DateTimeOffset.TryParse(current, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at)
            ? Of(at.AddMilliseconds(1))
            : candidate;
    }
}
