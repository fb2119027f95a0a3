using System.Globalization;
using IndustryBrain.Contracts;

namespace IndustryBrain.Domain;

/// <summary>An interval of time, [From, To).</summary>
public readonly record struct Span(DateTimeOffset From, DateTimeOffset To)
{
    public double Seconds => To > From ? (To - From).TotalSeconds : 0;
}

/// <summary>
/// A firm's planned busy time from its shift calendar, in the district's time zone: shifts are local times of
/// day, on the days they name (every day when none), and a shift whose end is not after its start ends the next
/// day (a night shift spans midnight). Overlapping shifts count once.
/// </summary>
public static class ShiftTimes
{
    public const int MaxShifts = 20;

    private static readonly string[] DayNames = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"];

    /// <summary>Null when the calendar is acceptable; otherwise why not.</summary>
    public static string? Problem(ShiftCalendar? calendar)
    {
        if (calendar?.Shifts is not { Length: > 0 and <= MaxShifts } shifts)
        {
            return $"shifts must hold 1 to {MaxShifts} shifts";
        }

        foreach (var shift in shifts)
        {
            if (shift is null || !TryTime(shift.Start, out _) || !TryTime(shift.End, out _))
            {
                return "each shift needs start and end as HH:mm (24-hour, local time)";
            }

            if (shift.Start == shift.End)
            {
                return $"the shift {shift.Start}-{shift.End} is empty (a 24-hour shift is 00:00-23:59 or two shifts)";
            }

            if (shift.Days is { } days && (days.Length == 0 || days.Any(d => Array.IndexOf(DayNames, d) < 0)))
            {
                return "days must name days as mon, tue, wed, thu, fri, sat, sun";
            }
        }

        return null;
    }

    /// <summary>The planned busy time within [from, to), sorted and merged.</summary>
    public static List<Span> Planned(ShiftCalendar calendar, TimeZoneInfo zone, DateTimeOffset from, DateTimeOffset to)
    {
        var spans = new List<Span>();
        if (to <= from)
        {
            return spans;
        }

        var first = DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(from, zone).DateTime).AddDays(-1);
        var last = DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(to, zone).DateTime);
        for (var date = first; date <= last; date = date.AddDays(1))
        {
            foreach (var shift in calendar.Shifts)
            {
                if (shift.Days is { } days && Array.IndexOf(days, DayNames[(int)date.DayOfWeek]) < 0)
                {
                    continue;
                }

                TryTime(shift.Start, out var start);
                TryTime(shift.End, out var end);
                var begins = At(date.ToDateTime(start), zone);
                var ends = At((end <= start ? date.AddDays(1) : date).ToDateTime(end), zone);
                var clipped = new Span(begins > from ? begins : from, ends < to ? ends : to);
                if (clipped.Seconds > 0)
                {
                    spans.Add(clipped);
                }
            }
        }

        return Merge(spans);
    }

    /// <summary>Seconds of <paramref name="a"/> that lie within <paramref name="b"/>; both sorted and merged.</summary>
    public static double Overlap(IReadOnlyList<Span> a, IReadOnlyList<Span> b)
    {
        double seconds = 0;
        int i = 0, j = 0;
        while (i < a.Count && j < b.Count)
        {
            var from = a[i].From > b[j].From ? a[i].From : b[j].From;
            var to = a[i].To < b[j].To ? a[i].To : b[j].To;
            if (to > from)
            {
                seconds += (to - from).TotalSeconds;
            }

            if (a[i].To < b[j].To)
            {
                i++;
            }
            else
            {
                j++;
            }
        }

        return seconds;
    }

    public static List<Span> Merge(List<Span> spans)
    {
        spans.Sort((x, y) => x.From.CompareTo(y.From));
        var merged = new List<Span>(spans.Count);
        foreach (var span in spans)
        {
            if (merged.Count > 0 && span.From <= merged[^1].To)
            {
                if (span.To > merged[^1].To)
                {
                    merged[^1] = merged[^1] with { To = span.To };
                }
            }
            else
            {
                merged.Add(span);
            }
        }

        return merged;
    }

    public static bool TryTime(string? text, out TimeOnly time) =>
        TimeOnly.TryParseExact(text, "HH:mm", CultureInfo.InvariantCulture, DateTimeStyles.None, out time);

    /// <summary>The instant a district day begins (local midnight).</summary>
    public static DateTimeOffset StartOf(DateOnly date, TimeZoneInfo zone) => At(date.ToDateTime(TimeOnly.MinValue), zone);

    /// <summary>A local wall-clock time as an instant; a time skipped by a clock change is taken at the offset before it.</summary>
    private static DateTimeOffset At(DateTime local, TimeZoneInfo zone)
    {
        var offset = zone.IsInvalidTime(local) ? zone.GetUtcOffset(local.AddHours(-3)) : zone.GetUtcOffset(local);
        return new DateTimeOffset(DateTime.SpecifyKind(local, DateTimeKind.Unspecified), offset);
    }
}
