using IndustryBrain.Contracts;

namespace IndustryBrain.Codes;

/// <summary>
/// One scanned code's log, bounded whatever the number of scans: the count, the first and the last scan, and
/// the most recent <see cref="RecentKept"/> scans. Codes never scanned have no log at all.
/// </summary>
public sealed class ScanLog
{
    public const int RecentKept = 5;
    public const int MaxPlaceLength = 64;
    private readonly Queue<ScanEntry> _recent;

    public ScanLog(ScanSummary? summary = null)
    {
        Count = summary?.Count ?? 0;
        First = summary?.First;
        Last = summary?.Last;
        _recent = new Queue<ScanEntry>(summary?.Recent ?? []);
    }

    public long Count { get; private set; }

    public ScanEntry? First { get; private set; }

    public ScanEntry? Last { get; private set; }

    /// <summary>Records a scan; the place is cut to a coarse, printable label.</summary>
    public ScanSummary Record(DateTimeOffset at, string? place)
    {
        var entry = new ScanEntry(at, Coarse(place));
        Count++;
        First ??= entry;
        Last = entry;
        _recent.Enqueue(entry);
        while (_recent.Count > RecentKept)
        {
            _recent.Dequeue();
        }

        return Summary()!;
    }

    public ScanSummary? Summary() => First is null ? null : new ScanSummary(Count, First, Last!, [.. _recent]);

    /// <summary>Whether the page warns: the code was scanned more than <paramref name="warnAfter"/> times.</summary>
    public static bool Warns(ScanSummary? summary, int warnAfter) => summary is not null && summary.Count > warnAfter;

    /// <summary>A place as the brain keeps it: trimmed, at most <see cref="MaxPlaceLength"/> characters, no control characters; null if empty.</summary>
    public static string? Coarse(string? place)
    {
        if (string.IsNullOrWhiteSpace(place))
        {
            return null;
        }

        var kept = new string([.. place.Trim().Where(c => !char.IsControl(c) && !char.IsSurrogate(c) && c is not ('\u2028' or '\u2029' or (>= '\u202A' and <= '\u202E') or (>= '\u2066' and <= '\u2069')))]);
        return kept.Length == 0 ? null : kept.Length <= MaxPlaceLength ? kept : kept[..MaxPlaceLength];
    }
}
