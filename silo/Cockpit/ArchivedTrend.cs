using IndustryBrain.Contracts;
using IndustryBrain.Domain;
using IndustryBrain.Silo.Archive;
using Microsoft.Extensions.Options;

namespace IndustryBrain.Silo.Cockpit;

/// <summary>
/// The cockpit's 30 days: the past days as the history archive keeps them (plus what was recorded for them outside
/// the brain), today as the district grain counts it live. <see cref="Source"/> says which: "archive", or "grains"
/// with a <see cref="Note"/> saying why (the archive is off, starting, or down). <see cref="Stamp"/> moves whenever
/// the past days or their source change.
/// </summary>
public sealed record Trend(DailyOutput[] Daily, string Source, string? Note, long Stamp);

/// <summary>
/// Reads the district's past days from the history archive for the cockpit, cheaply: the cockpit asks every half
/// second, the archive is asked only when the district day changed, when the writer wrote a past day's figure (a late
/// reading; yesterday's last figures after midnight; at most every 2 s), or after 5 minutes (another silo's writes).
/// The read runs in the background: the cockpit never waits for the database. While the archive is off, starting,
/// or down, the cockpit shows the district grain's own 30 days and says so.
/// </summary>
public sealed class ArchivedTrend(IHistoryStore store, ArchiveWriter writer, IOptions<HistoryOptions> options, TimeProvider time, ILogger<ArchivedTrend> logger)
{
    public const string FromArchive = "archive";
    public const string FromGrains = CockpitView.FromGrains;
    public static readonly TimeSpan RefreshEvery = TimeSpan.FromMinutes(5);
    public static readonly TimeSpan AtMostEvery = TimeSpan.FromSeconds(2);
    public static readonly TimeSpan RetryAfter = TimeSpan.FromSeconds(5);
    public static readonly TimeSpan ReadTimeout = TimeSpan.FromSeconds(10);

    private sealed record PastDays(DateOnly Today, Dictionary<DateOnly, DayFigure> Days, long PastDayWrites, DateTimeOffset ReadAt);

    private volatile PastDays? _cached;
    private volatile string? _failure;
    private long _failedAt;
    private int _reading;
    private long _stamp;

    /// <summary>How many times the archive was read (the benchmark and the tests look at it).</summary>
    public long Reads => Interlocked.Read(ref _reads);

    private long _reads;

    public Trend For(CockpitView view)
    {
        if (!options.Value.Enabled)
        {
            return Grains(view, "the history archive is off (History:Enabled=false): past days from the brain's own 30 days");
        }

        var now = time.GetUtcNow();
        var cached = _cached;
        if (cached is null || cached.Today != view.Today || now - cached.ReadAt > RefreshEvery
            || (cached.PastDayWrites != writer.PastDayWrites && now - cached.ReadAt > AtMostEvery))
        {
            Refresh(view.Today, now);
        }

        if (writer.State == "down")
        {
            return Grains(view, $"the history archive is down ({writer.Reason}): past days from the brain's own 30 days");
        }

        if (_failure is { } failure)
        {
            return Grains(view, failure);
        }

        if (cached is null || cached.Today != view.Today)
        {
            return Grains(view, writer.Ready ? "reading the past days from the history archive" : "the history archive is starting: past days from the brain's own 30 days");
        }

        var recorded = (view.Recorded ?? []).ToDictionary(d => d.Date);
        var daily = new DailyOutput[view.Daily.Length];
        for (var i = 0; i < daily.Length; i++)
        {
            var date = view.Daily[i].Date;
            if (date >= view.Today)
            {
                daily[i] = view.Daily[i]; // today, live
                continue;
            }

            var units = cached.Days.TryGetValue(date, out var day) ? day.Units : 0;
            var value = day?.Value ?? 0m;
            if (recorded.TryGetValue(date, out var extra))
            {
                units += extra.Units;
                value += extra.Value;
            }

            daily[i] = new DailyOutput(date, units, value);
        }

        return new Trend(daily, FromArchive, null, Interlocked.Read(ref _stamp));
    }

    private Trend Grains(CockpitView view, string note) => new(view.Daily, FromGrains, note, Interlocked.Read(ref _stamp));

    private void Refresh(DateOnly today, DateTimeOffset now)
    {
        if (!writer.Ready || (_failure is not null && now.UtcTicks - Interlocked.Read(ref _failedAt) < RetryAfter.Ticks)
            || Interlocked.CompareExchange(ref _reading, 1, 0) != 0)
        {
            return;
        }

        _ = Task.Run(async () =>
        {
            try
            {
                // Read the writer's count first: a past day written during the read makes the next poll read again.
                var writes = writer.PastDayWrites;
                using var timeout = new CancellationTokenSource(ReadTimeout);
                var figures = await store.Output(today.AddDays(-(DistrictTally.HistoryDays - 1)), today.AddDays(-1), null, null, timeout.Token);
                Interlocked.Increment(ref _reads);
                var days = figures.ToDictionary(d => d.Date);
                var before = _cached;
                var changed = _failure is not null || before is null || before.Today != today || !Same(before.Days, days);
                _cached = new PastDays(today, days, writes, time.GetUtcNow());
                _failure = null;
                if (changed)
                {
                    Interlocked.Increment(ref _stamp);
                }
            }
            catch (Exception e)
            {
                var failure = $"the history archive's {store.Backend} database is not answering ({e.GetType().Name}): past days from the brain's own 30 days";
                if (_failure != failure)
                {
                    logger.LogWarning("The cockpit's past days come from the district grain: {Failure}", failure);
                    Interlocked.Increment(ref _stamp);
                }

                _failure = failure;
                Interlocked.Exchange(ref _failedAt, time.GetUtcNow().UtcTicks);
            }
            finally
            {
                Volatile.Write(ref _reading, 0);
            }
        });
    }

    private static bool Same(Dictionary<DateOnly, DayFigure> a, Dictionary<DateOnly, DayFigure> b) =>
        a.Count == b.Count && a.All(d => b.TryGetValue(d.Key, out var other) && other == d.Value);
}
