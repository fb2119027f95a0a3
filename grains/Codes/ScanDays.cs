namespace IndustryBrain.Codes;

/// <summary>Scans and suspect scans on one district day.</summary>
public sealed record ScanDay(DateOnly Date, long Scans, long Suspect, string? LastSuspect);

/// <summary>Scans counted per district day, the last <see cref="DaysKept"/> days only.</summary>
public sealed class ScanDays
{
    public const int DaysKept = 31;
    private readonly List<ScanDay> _days;

    public ScanDays(IEnumerable<ScanDay>? days = null) => _days = [.. days ?? []];

    public IReadOnlyList<ScanDay> Days => _days;

    public ScanDay On(DateOnly date) => _days.FirstOrDefault(d => d.Date == date) ?? new ScanDay(date, 0, 0, null);

    /// <summary>Adds scans to a day; a suspect scan names the code it was for.</summary>
    public ScanDay Add(DateOnly date, long scans, long suspect, string? lastSuspect)
    {
        var index = _days.FindIndex(d => d.Date == date);
        var day = index < 0 ? new ScanDay(date, 0, 0, null) : _days[index];
        day = new ScanDay(date, day.Scans + scans, day.Suspect + suspect, lastSuspect ?? day.LastSuspect);
        if (index < 0)
        {
            _days.Add(day);
            _days.Sort((a, b) => a.Date.CompareTo(b.Date));
            while (_days.Count > DaysKept)
            {
                _days.RemoveAt(0);
            }
        }
        else
        {
            _days[index] = day;
        }

        return day;
    }
}
