using System.Diagnostics;
using System.Text.Json;
using IndustryBrain.Contracts;
using IndustryBrain.Domain;
using Microsoft.Extensions.Options;

namespace IndustryBrain.Silo.Archive;

/// <summary>
/// Drains the <see cref="HistoryArchive"/> queue into the database in batches, on its own task: never on
/// the broker's loop or in a grain turn. While the database is down or slow it keeps the batch in hand,
/// retries with back-off and lets the queue grow: in memory up to History:QueueCapacity, then in the spool on disk
/// (<see cref="HistoryArchive"/>); the live figures never wait for it. At a clean stop it writes whatever is queued;
/// what the database cannot take in time (down for History:StopWaitSeconds, or the host's shutdown deadline) stays
/// in the spool, which the next start writes first, so a clean restart loses nothing. Creates and migrates the schema at start, and once an hour drops the days past
/// History:RetentionDays and prepares the days ahead.
/// </summary>
public sealed class ArchiveWriter(
    HistoryArchive archive,
    IHistoryStore store,
    HistoryMetrics metrics,
    IOptions<HistoryOptions> options,
    TimeProvider time,
    DistrictCalendar calendar,
    ILivePath live,
    ILogger<ArchiveWriter> logger) : IHostedService, IAsyncDisposable
{
    private static readonly TimeSpan RetainEvery = TimeSpan.FromHours(1);
    private static readonly TimeSpan YieldStep = TimeSpan.FromMilliseconds(50);

    /// <summary>
    /// How long the ingest still counts as flat out after it was last seen saturated: its queue empties for a moment
    /// between batches, and a writer that took each such moment wrote a batch every few hundred milliseconds.
    /// </summary>
    private static readonly TimeSpan SaturatedHold = TimeSpan.FromSeconds(1);
    private readonly HistoryOptions _options = options.Value;
    private readonly CancellationTokenSource _abort = new();
    private Task? _run;
    private long _oldestInHand;
    private DateTimeOffset _retainedAt = DateTimeOffset.MinValue;
    private volatile bool _stopping;

    /// <summary>"starting" (schema not made yet), "up", "down" (the last attempt failed), "off" (History:Enabled=false).</summary>
    public string State { get; private set; } = "starting";

    /// <summary>Why the archive is down, in words that carry no secret.</summary>
    public string? Reason { get; private set; }

    public DateTimeOffset? DownSince { get; private set; }

    /// <summary>Seconds since the oldest record not yet written was queued; 0 when the writer has caught up.</summary>
    public double LagSeconds
    {
        get
        {
            // The oldest of: the batch in hand, the first record waiting in memory, the first waiting in the spool.
            var oldest = Interlocked.Read(ref _oldestInHand);
            foreach (var waiting in (ReadOnlySpan<long>)[archive.OldestInMemory, archive.OldestSpooled])
            {
                if (waiting > 0 && (oldest == 0 || waiting < oldest))
                {
                    oldest = waiting;
                }
            }

            return oldest > 0 ? Stopwatch.GetElapsedTime(oldest).TotalSeconds : 0;
        }
    }

    /// <summary>True while the writer stays behind a saturated ingest (History:YieldSeconds).</summary>
    public bool Yielding { get; private set; }

    /// <summary>The schema exists: queries can be answered (when the database is reachable).</summary>
    public bool Ready => _migrated;

    private volatile bool _migrated;
    private long _pastDayWrites;

    /// <summary>
    /// Counts the batches that wrote an enterprise's output on a district day before today (a late reading, the last
    /// figures of yesterday after midnight): whoever caches past days (<see cref="Cockpit.ArchivedTrend"/>) reads again when it moves.
    /// </summary>
    public long PastDayWrites => Interlocked.Read(ref _pastDayWrites);

    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (!_options.Enabled)
        {
            State = "off";
            return Task.CompletedTask;
        }

        archive.Accepting = true;
        _run = Task.Run(Run, CancellationToken.None);
        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_run is null)
        {
            return;
        }

        // Everything that the ingest and the grains handed over before this point is written; the writer
        // gives up on a database that stays down after History:StopWaitSeconds (or the host's own deadline).
        _stopping = true;
        archive.Complete();
        using var registration = cancellationToken.Register(() => _abort.Cancel());
        await _run;
    }

    private async Task Run()
    {
        var batch = new ArchiveBatch();
        var inHand = new List<ArchiveItem>();
        var fromSpool = false;
        var reader = archive.Reader;
        var spooling = Task.Run(archive.RunSpool, CancellationToken.None);
        try
        {
            await UntilDone("creating the archive's schema", async () =>
            {
                await store.Migrate(_abort.Token);
                _migrated = true;
                await Retain();
            });
            SpoolLegacySpill();

            var lastWrite = time.GetTimestamp();
            long? lastSaturated = null;
            while (true)
            {
                if (live.Saturated)
                {
                    lastSaturated = time.GetTimestamp();
                }

                if (_options.YieldSeconds > 0 && !_stopping && lastSaturated is { } seen && time.GetElapsedTime(seen) < SaturatedHold
                    && time.GetElapsedTime(lastWrite) < TimeSpan.FromSeconds(_options.YieldSeconds))
                {
                    // The ingest is flat out: its figures go first; what waits meanwhile goes to the spool.
                    if (!Yielding)
                    {
                        archive.SpoolFromNow();
                        Yielding = true;
                    }

                    await Task.Delay(YieldStep, time, _abort.Token);
                    continue;
                }

                Yielding = false;

                // Memory first, then the spool: records go to the spool only while memory is full or the writer stays
                // behind, and then until the spool is empty again, so this is their order.
                inHand.Clear();
                fromSpool = false;
                var taken = 0;
                if (reader.TryPeek(out _))
                {
                    if (_options.GatherMilliseconds > 0 && !_stopping && archive.InMemory < _options.BatchSize)
                    {
                        // A district sends a few readings at a time, all the time: let a moment's worth gather into one batch.
                        // (Records, not queue items: one item holds the readings of one order's batch, up to hundreds.)
                        await Task.Delay(TimeSpan.FromMilliseconds(_options.GatherMilliseconds), time);
                    }

                    while (taken < _options.BatchSize && reader.TryRead(out var item))
                    {
                        if (!archive.IsSpoolMark(item))
                        {
                            inHand.Add(item);
                            taken += item.Count;
                        }
                    }

                    archive.Taken(taken);
                }
                else if (archive.Spool.Read(inHand, _options.BatchSize) > 0)
                {
                    fromSpool = true;
                }
                else
                {
                    archive.SpoolDrained();
                    if (!await reader.WaitToReadAsync(_abort.Token))
                    {
                        break;
                    }

                    continue;
                }

                if (inHand.Count == 0)
                {
                    continue;
                }

                Interlocked.Exchange(ref _oldestInHand, inHand[0].QueuedAt);
                batch.Clear();
                foreach (var item in inHand)
                {
                    Add(batch, item);
                }

                lastWrite = time.GetTimestamp();
                if (batch.Count > 0)
                {
                    var started = Stopwatch.GetTimestamp();
                    if (!await UntilDone("writing to the archive", () => store.Write(batch, _abort.Token), giveUpAfter: 5))
                    {
                        metrics.Dropped(ArchiveKind.Readings, batch.Count, "write-failed");
                    }
                    else
                    {
                        if (batch.Days.Count > 0 && batch.Days.Min(d => d.Date) < calendar.DateOf(time.GetUtcNow()))
                        {
                            Interlocked.Increment(ref _pastDayWrites);
                        }

                        metrics.Batch(Stopwatch.GetElapsedTime(started));
                        metrics.Written(ArchiveKind.Readings, batch.Readings.Count);
                        metrics.Written(ArchiveKind.Status, batch.Statuses.Count);
                        metrics.Written(ArchiveKind.Day, batch.Days.Count);
                        metrics.Written(ArchiveKind.Bundle, batch.Bundles.Count);
                    }
                }

                if (fromSpool)
                {
                    archive.Spool.Committed();
                }

                Interlocked.Exchange(ref _oldestInHand, 0);
                if (time.GetUtcNow() - _retainedAt > RetainEvery)
                {
                    if (!await UntilDone("dropping days past the retention", Retain, giveUpAfter: 3))
                    {
                        _retainedAt = time.GetUtcNow(); // again in an hour
                    }
                }
            }
        }
        catch (OperationCanceledException) when (_abort.IsCancellationRequested)
        {
            // The stop's deadline: what is in memory goes to the spool, which the next start writes first.
            await spooling;
            var spilled = 0;
            foreach (var item in fromSpool ? [] : inHand)
            {
                archive.Spill(item);
                spilled += item.Count;
            }

            while (reader.TryRead(out var item))
            {
                if (!archive.IsSpoolMark(item))
                {
                    archive.Taken(item.Count);
                    archive.Spill(item);
                    spilled += item.Count;
                }
            }

            archive.Spool.Flush();
            logger.LogWarning("The history archive's database did not take {Count} records before the stop; they wait in {Folder} ({Megabytes:F1} MB spooled) for the next start",
                spilled, archive.Spool.Folder, archive.Spool.Bytes / 1048576.0);
        }

        await spooling;
    }

    private sealed record SpillRecord(ArchiveKind Kind, string Enterprise, string? Order, Reading? Reading, TerminalStatus? Status, ArchivedDay? Day, BundleView? Bundle);

    /// <summary>
    /// An earlier version left what a stop could not write in <c>history-spill.jsonl</c> (one JSON record a line):
    /// moved to the spool, which is written before anything new, and the file deleted.
    /// </summary>
    private void SpoolLegacySpill()
    {
        var path = Path.Combine(Path.GetDirectoryName(archive.Spool.Folder)!, "history-spill.jsonl");
        if (!File.Exists(path))
        {
            return;
        }

        var moved = 0;
        foreach (var line in File.ReadLines(path))
        {
            SpillRecord? record;
            try
            {
                record = string.IsNullOrWhiteSpace(line) ? null : JsonSerializer.Deserialize<SpillRecord>(line, JsonSerializerOptions.Web);
            }
            catch (JsonException)
            {
                continue; // a line cut short by a crash while spilling
            }

            ArchiveItem? item = record switch
            {
                { Kind: ArchiveKind.Readings, Order: { } order, Reading: { } reading } =>
                    new ArchiveItem(ArchiveKind.Readings, record.Enterprise, order, new[] { reading }, Stopwatch.GetTimestamp(), 1),
                { Kind: ArchiveKind.Status, Status: { } status } => new ArchiveItem(ArchiveKind.Status, record.Enterprise, null, status, Stopwatch.GetTimestamp(), 1),
                { Kind: ArchiveKind.Day, Day: { } day } => new ArchiveItem(ArchiveKind.Day, day.Enterprise, day.ChainNode, day, Stopwatch.GetTimestamp(), 1),
                { Kind: ArchiveKind.Bundle, Bundle: { } bundle } => new ArchiveItem(ArchiveKind.Bundle, "", bundle.Bundle, bundle, Stopwatch.GetTimestamp(), 1),
                _ => null,
            };
            if (item is { } spilled)
            {
                archive.Spill(spilled);
                moved++;
            }
        }

        archive.Spool.Flush();
        File.Delete(path);
        logger.LogInformation("The history archive moved the {Count} records an earlier version left in {File} to its spool", moved, path);
    }

    /// <summary>
    /// Runs <paramref name="step"/> until it succeeds, backing off while the database is unavailable. A step
    /// that fails for another reason (a record the database refuses) is given up after <paramref name="giveUpAfter"/>
    /// attempts, so one bad batch cannot stop the archive: answers false then.
    /// </summary>
    private async Task<bool> UntilDone(string what, Func<Task> step, int giveUpAfter = int.MaxValue)
    {
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                await step();
                if (State != "up")
                {
                    if (DownSince is { } since)
                    {
                        logger.LogWarning("The history archive is reachable again after {Seconds:F0} s", (time.GetUtcNow() - since).TotalSeconds);
                    }

                    State = "up";
                    Reason = null;
                    DownSince = null;
                }

                return true;
            }
            catch (Exception e) when (!_abort.IsCancellationRequested)
            {
                metrics.Error();
                if (!store.IsUnavailable(e) && attempt + 1 >= giveUpAfter)
                {
                    logger.LogError(e, "The history archive gave up {What} after {Attempts} attempts; those records are not archived", what, attempt + 1);
                    return false;
                }

                var reason = store.IsUnavailable(e) ? $"the {store.Backend} database is unavailable ({e.GetType().Name})" : $"{what} failed ({e.GetType().Name})";
                if (State != "down")
                {
                    // Npgsql's messages name hosts, users and SQL states, never passwords.
                    logger.LogWarning(e, "The history archive is down ({What}); it retries and catches up, the live figures do not wait", what);
                    DownSince = time.GetUtcNow();
                }

                State = "down";
                Reason = reason;
                if (_stopping && time.GetUtcNow() - DownSince > TimeSpan.FromSeconds(_options.StopWaitSeconds))
                {
                    _abort.Cancel(); // spilled, written at the next start
                }

                await Task.Delay(TimeSpan.FromMilliseconds(Math.Min(200 << Math.Min(attempt, 4), 3_000)), time, _abort.Token);
            }
        }
    }

    private async Task Retain()
    {
        var today = DateOnly.FromDateTime(time.GetUtcNow().UtcDateTime);
        var dropped = await store.Retain(KeepFrom(today), today.AddDays(_options.PartitionsAhead), _abort.Token);
        _retainedAt = time.GetUtcNow();
        if (dropped > 0)
        {
            logger.LogInformation("The history archive dropped {Days} days before {KeepFrom}", dropped, KeepFrom(today));
        }
    }

    private DateOnly KeepFrom(DateOnly today) => today.AddDays(-_options.RetentionDays);

    private void Add(ArchiveBatch batch, ArchiveItem item)
    {
        switch (item.Kind)
        {
            case ArchiveKind.Readings:
                var readings = (IReadOnlyList<Reading>)item.Payload;
                var now = time.GetUtcNow();
                var oldest = new DateTimeOffset(KeepFrom(DateOnly.FromDateTime(now.UtcDateTime)).ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);
                var latest = now.AddDays(_options.PartitionsAhead);
                for (var i = 0; i < readings.Count; i++)
                {
                    var reading = readings[i];
                    if (reading.Ts < oldest || reading.Ts > latest)
                    {
                        // Older than the retention, or from a terminal whose clock is days ahead: no day keeps it.
                        metrics.Dropped(ArchiveKind.Readings, 1, "out-of-range");
                        continue;
                    }

                    batch.Readings.Add((item.Enterprise, item.Key!, reading));
                }

                break;
            case ArchiveKind.Status:
                batch.Statuses.Add((item.Enterprise, (TerminalStatus)item.Payload));
                break;
            case ArchiveKind.Day:
                batch.Days.Add((ArchivedDay)item.Payload);
                break;
            case ArchiveKind.Bundle:
                batch.Bundles.Add((BundleView)item.Payload);
                break;
        }
    }

    public ValueTask DisposeAsync()
    {
        _abort.Dispose();
        return ValueTask.CompletedTask;
    }
}
