using System.Diagnostics;
using IndustryBrain.Contracts;
using Microsoft.Extensions.Options;

namespace IndustryBrain.Silo.Archive;

/// <summary>
/// Drains the <see cref="HistoryArchive"/> queue into the database in batches, on its own task: never on
/// the broker's loop or in a grain turn. While the database is down or slow it keeps the batch in hand,
/// retries with back-off and lets the queue grow (up to History:QueueCapacity); the live figures never
/// wait for it. At a clean stop it writes whatever is queued (for at most History:StopWaitSeconds if the
/// database is down). Creates and migrates the schema at start, and once an hour drops the days past
/// History:RetentionDays and prepares the days ahead.
/// </summary>
public sealed class ArchiveWriter(
    HistoryArchive archive,
    IHistoryStore store,
    HistoryMetrics metrics,
    IOptions<HistoryOptions> options,
    TimeProvider time,
    ILogger<ArchiveWriter> logger) : IHostedService, IAsyncDisposable
{
    private static readonly TimeSpan RetainEvery = TimeSpan.FromHours(1);
    private readonly HistoryOptions _options = options.Value;
    private readonly CancellationTokenSource _abort = new();
    private Task? _run;
    private long _oldestInHand;
    private DateTimeOffset _retainedAt = DateTimeOffset.MinValue;

    /// <summary>"starting" (schema not made yet), "up", "down" (the last attempt failed), "off" (History:Enabled=false).</summary>
    public string State { get; private set; } = "starting";

    /// <summary>Why the archive is down, in words that carry no secret.</summary>
    public string? Reason { get; private set; }

    public DateTimeOffset? DownSince { get; private set; }

    /// <summary>Seconds since the oldest record not yet written was queued; 0 when the writer has caught up.</summary>
    public double LagSeconds => Interlocked.Read(ref _oldestInHand) is var t and > 0 ? Stopwatch.GetElapsedTime(t).TotalSeconds : 0;

    /// <summary>The schema exists: queries can be answered (when the database is reachable).</summary>
    public bool Ready => _migrated;

    private volatile bool _migrated;

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
        archive.Complete();
        _abort.CancelAfter(TimeSpan.FromSeconds(Math.Max(1, _options.StopWaitSeconds)));
        using var registration = cancellationToken.Register(() => _abort.Cancel());
        await _run;
    }

    private async Task Run()
    {
        var batch = new ArchiveBatch();
        var reader = archive.Reader;
        try
        {
            await UntilDone("creating the archive's schema", async () =>
            {
                await store.Migrate(_abort.Token);
                _migrated = true;
                await Retain();
            });

            while (await reader.WaitToReadAsync(_abort.Token))
            {
                batch.Clear();
                var taken = 0;
                while (batch.Count < _options.BatchSize && reader.TryRead(out var item))
                {
                    if (taken == 0)
                    {
                        Interlocked.Exchange(ref _oldestInHand, item.QueuedAt);
                    }

                    taken += item.Count;
                    Add(batch, item);
                }

                archive.Taken(taken);
                if (batch.Count > 0)
                {
                    var started = Stopwatch.GetTimestamp();
                    if (!await UntilDone("writing to the archive", () => store.Write(batch, _abort.Token), giveUpAfter: 5))
                    {
                        metrics.Dropped(ArchiveKind.Readings, batch.Count, "write-failed");
                        Interlocked.Exchange(ref _oldestInHand, 0);
                        continue;
                    }

                    metrics.Batch(Stopwatch.GetElapsedTime(started));
                    metrics.Written(ArchiveKind.Readings, batch.Readings.Count);
                    metrics.Written(ArchiveKind.Status, batch.Statuses.Count);
                    metrics.Written(ArchiveKind.Day, batch.Days.Count);
                    metrics.Written(ArchiveKind.Bundle, batch.Bundles.Count);
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
            var lost = batch.Count + (int)archive.Queued;
            if (lost > 0)
            {
                metrics.Dropped(ArchiveKind.Readings, lost, "lost-at-stop");
                logger.LogWarning("The history archive stopped with {Lost} records not written: the database did not take them within {Seconds} s",
                    lost, _options.StopWaitSeconds);
            }
        }
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
                await Task.Delay(TimeSpan.FromMilliseconds(Math.Min(200 << Math.Min(attempt, 4), 3_000)), _abort.Token);
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
