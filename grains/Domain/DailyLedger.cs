using IndustryBrain.Contracts;

namespace IndustryBrain.Domain;

/// <summary>Output per district day, the last <see cref="Days"/> days kept.</summary>
public sealed class DailyLedger
{
    public const int Days = 31;
    private readonly SortedDictionary<DateOnly, DailyOutput> _days = [];

    /// <summary>The ledger from the days it stored (<see cref="Snapshot"/>).</summary>
    public static DailyLedger Restore(IEnumerable<DailyOutput>? days)
    {
        var ledger = new DailyLedger();
        foreach (var day in days ?? [])
        {
            ledger._days[day.Date] = day;
        }

        return ledger;
    }

    /// <summary>The days as stored.</summary>
    public List<DailyOutput> Snapshot() => [.. _days.Values];

    public void Add(DateOnly date, long units, decimal value)
    {
        if (units == 0 && value == 0)
        {
            return;
        }

        _days.TryGetValue(date, out var day);
        _days[date] = new DailyOutput(date, (day?.Units ?? 0) + units, (day?.Value ?? 0) + value);
        while (_days.Count > Days)
        {
            _days.Remove(_days.Keys.First());
        }
    }

    public Output On(DateOnly date) => _days.TryGetValue(date, out var day) ? new Output(day.Units, day.Value) : Output.Zero;

    public DailyOutput[] ToArray() => [.. _days.Values];
}

/// <summary>The district's day boundary: "today" is a date in the district's time zone.</summary>
public sealed class DistrictCalendar(TimeZoneInfo zone)
{
    public TimeZoneInfo Zone { get; } = zone;

    public static DistrictCalendar For(string timeZoneId) => new(TimeZoneInfo.FindSystemTimeZoneById(timeZoneId));

    public DateOnly DateOf(DateTimeOffset instant) => DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(instant, Zone).DateTime);

    public DateTimeOffset Local(DateTimeOffset instant) => TimeZoneInfo.ConvertTime(instant, Zone);
}
