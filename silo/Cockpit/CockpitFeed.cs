using System.Globalization;
using System.Net.ServerSentEvents;
using System.Runtime.CompilerServices;
using System.Text.Json;
using IndustryBrain.Contracts;

namespace IndustryBrain.Silo.Cockpit;

/// <summary>One cockpit view as the stream sends it: serialized once, sent to every client.</summary>
public sealed record CockpitSnapshot(long Version, DateOnly Today, DateTimeOffset AsOf, string Json)
{
    /// <summary>The 30 days' stamp and source the snapshot was made with (the past days may change while the view does not).</summary>
    public (long Stamp, string Source, string? Note) Trend { get; init; }
}

/// <summary>
/// The cockpit stream's one source: polls the district grain every half second, and when the view
/// changed serializes it once and wakes every connected client. Clients therefore get at most about
/// two events a second, only when something changed, and a heartbeat while nothing does; the district
/// grain sees one poll per silo, however many screens watch.
/// </summary>
public sealed class CockpitFeed(IGrainFactory grains, ArchivedTrend trend, TimeProvider time, ILogger<CockpitFeed> logger) : BackgroundService
{
    public static readonly TimeSpan PollEvery = TimeSpan.FromMilliseconds(500);
    public static readonly TimeSpan HeartbeatEvery = TimeSpan.FromSeconds(15);

    /// <summary>How long a browser waits before it reconnects after the stream broke.</summary>
    public static readonly TimeSpan ReconnectAfter = TimeSpan.FromSeconds(2);

    private volatile CockpitSnapshot? _latest;
    private TaskCompletionSource _next = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public CockpitSnapshot? Latest => _latest;

    /// <summary>The district view last read, for the metrics (active orders, terminals online).</summary>
    public CockpitView? LatestView { get; private set; }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var district = grains.GetGrain<IDistrictGrain>(Keys.District);
        var failures = 0;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                var view = await district.GetCockpit();
                LatestView = view;
                var latest = _latest;
                var days = trend.For(view);
                if (latest is null || latest.Version != view.Version || latest.Today != view.Today || latest.Trend != (days.Stamp, days.Source, days.Note))
                {
                    var json = JsonSerializer.Serialize(CockpitDocument.From(view, days), CockpitDocument.Json);
                    _latest = new CockpitSnapshot(view.Version, view.Today, view.AsOf, json) { Trend = (days.Stamp, days.Source, days.Note) };
                    Interlocked.Exchange(ref _next, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();
                }

                failures = 0;
            }
            catch (Exception e) when (!stoppingToken.IsCancellationRequested)
            {
                if (failures++ % 20 == 0)
                {
                    logger.LogWarning(e, "The cockpit feed could not read the district view ({Failures} times in a row)", failures);
                }
            }

            try
            {
                await Task.Delay(PollEvery, time, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }
    }

    /// <summary>
    /// One client's events: the latest view at once, then each new view, and a heartbeat event
    /// (<c>event: heartbeat</c>, data the time) after <see cref="HeartbeatEvery"/> without one.
    /// </summary>
    public async IAsyncEnumerable<SseItem<string>> Stream([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        long sent = long.MinValue;
        var first = true;
        while (!cancellationToken.IsCancellationRequested)
        {
            // Take the wake-up before reading the latest view, so a view published in between is not missed.
            var next = Volatile.Read(ref _next).Task;
            var latest = _latest;
            if (latest is not null && latest.Version != sent)
            {
                sent = latest.Version;
                yield return new SseItem<string>(latest.Json)
                {
                    EventId = latest.Version.ToString(CultureInfo.InvariantCulture),
                    ReconnectionInterval = first ? ReconnectAfter : null,
                };
                first = false;
            }

            if (!await Woken(next, cancellationToken) && !cancellationToken.IsCancellationRequested)
            {
                yield return new SseItem<string>(time.GetUtcNow().ToString("O", CultureInfo.InvariantCulture), "heartbeat");
            }
        }
    }

    private async Task<bool> Woken(Task next, CancellationToken cancellationToken)
    {
        try
        {
            await next.WaitAsync(HeartbeatEvery, time, cancellationToken);
            return true;
        }
        catch (TimeoutException)
        {
            return false;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }
}
