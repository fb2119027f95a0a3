using System.Buffers;
using System.Threading.Channels;
using IndustryBrain.Contracts;

namespace IndustryBrain.Silo.Ingest;

/// <summary>
/// The hot path from MQTT to grains. <see cref="Accept"/> runs on the broker's per-connection loop: it
/// parses and validates, queues the readings and returns without waiting on any grain. A single
/// dispatcher drains the queue, groups what it took by order, and sends each order one batch, with a
/// bound on the calls in flight. Readings are cumulative and idempotent, so order of arrival and
/// retries do not matter.
/// </summary>
public sealed class IngestPipeline(
    IGrainFactory grains,
    RejectSink rejects,
    IngestMetrics metrics,
    TimeProvider time,
    ILogger<IngestPipeline> logger) : BackgroundService
{
    /// <summary>
    /// Readings queued before the broker's connections are held: enough to keep every grain call
    /// batched, small enough that a burst waits at the broker rather than filling the heap.
    /// </summary>
    public const int QueueCapacity = 100_000;
    public const int MaxDrain = 50_000;
    public const int MaxCallsInFlight = 512;

    [ThreadStatic]
    private static List<ParsedReading>? t_parsed;

    private readonly Channel<PendingReading> _readings = Channel.CreateBounded<PendingReading>(
        new BoundedChannelOptions(QueueCapacity) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });
    private readonly Channel<(string Enterprise, TerminalStatus Status)> _statuses =
        Channel.CreateUnbounded<(string, TerminalStatus)>(new UnboundedChannelOptions { SingleReader = true });
    private readonly SemaphoreSlim _inFlight = new(MaxCallsInFlight, MaxCallsInFlight);
    private long _pending;

    private readonly record struct PendingReading(string Enterprise, string Order, Reading Reading);

    /// <summary>Readings queued or in a grain call, not yet applied.</summary>
    public long Pending => Interlocked.Read(ref _pending);

    /// <summary>
    /// Takes one MQTT message. Answers null when it was queued or is not the ingest's to take; otherwise
    /// why it was refused (already counted, logged and answered on the reject topic).
    /// </summary>
    public ValueTask<Refusal?> Accept(string topic, ReadOnlySequence<byte> payload)
    {
        if (!Topics.TryParse(topic, out var kind, out var enterprise, out var terminal, out var badId))
        {
            return ValueTask.FromResult<Refusal?>(null);
        }

        var now = time.GetUtcNow();
        if (badId is not null)
        {
            return Refused(enterprise, terminal, new Refusal(RejectReasons.InvalidId, badId), now);
        }

        if (kind == TopicKind.Status)
        {
            var bad = ReadingParser.ParseStatus(payload, terminal, now, out var status);
            if (bad is not null)
            {
                return Refused(enterprise, terminal, bad, now);
            }

            _statuses.Writer.TryWrite((enterprise, status!));
            return ValueTask.FromResult<Refusal?>(null);
        }

        var parsed = t_parsed ??= new List<ParsedReading>(64);
        parsed.Clear();
        var refusal = ReadingParser.ParseCounts(payload, terminal, now, parsed);
        if (refusal is not null)
        {
            return Refused(enterprise, terminal, refusal, now);
        }

        metrics.Received(parsed.Count);
        Interlocked.Add(ref _pending, parsed.Count);
        var writer = _readings.Writer;
        for (var i = 0; i < parsed.Count; i++)
        {
            if (!writer.TryWrite(new PendingReading(enterprise, parsed[i].Order, parsed[i].Reading)))
            {
                // The queue is full: hold this connection until the dispatcher catches up.
                return WaitAndQueue(enterprise, parsed.Skip(i).ToArray());
            }
        }

        parsed.Clear();
        return ValueTask.FromResult<Refusal?>(null);
    }

    private async ValueTask<Refusal?> WaitAndQueue(string enterprise, ParsedReading[] rest)
    {
        foreach (var reading in rest)
        {
            await _readings.Writer.WriteAsync(new PendingReading(enterprise, reading.Order, reading.Reading));
        }

        return null;
    }

    private ValueTask<Refusal?> Refused(string enterprise, string terminal, Refusal refusal, DateTimeOffset now)
    {
        rejects.Report(new Rejection(enterprise, terminal, refusal.Reason, refusal.Seq, refusal.Detail, now));
        return ValueTask.FromResult<Refusal?>(refusal);
    }

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        Task.WhenAll(Task.Run(DispatchReadings, CancellationToken.None), Task.Run(DispatchStatuses, CancellationToken.None));

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        // Stop taking, then apply everything already taken before the grains go away.
        _readings.Writer.TryComplete();
        _statuses.Writer.TryComplete();
        await base.StopAsync(cancellationToken);
    }

    private async Task DispatchReadings()
    {
        var reader = _readings.Reader;
        var groups = new Dictionary<(string Enterprise, string Order), List<Reading>>();
        while (await reader.WaitToReadAsync())
        {
            groups.Clear();
            var taken = 0;
            while (taken < MaxDrain && reader.TryRead(out var item))
            {
                var key = (item.Enterprise, item.Order);
                if (!groups.TryGetValue(key, out var list))
                {
                    groups[key] = list = [];
                }

                list.Add(item.Reading);
                taken++;
            }

            foreach (var (key, list) in groups)
            {
                await _inFlight.WaitAsync();
                _ = Send(key.Enterprise, key.Order, list.ToArray());
            }
        }

        // Wait for the last calls.
        for (var i = 0; i < MaxCallsInFlight; i++)
        {
            await _inFlight.WaitAsync();
        }
    }

    private async Task Send(string enterprise, string order, Reading[] readings)
    {
        try
        {
            var grain = grains.GetGrain<IProductionOrderGrain>(Keys.Order(enterprise, order));
            var batch = new ReadingBatch(readings);
            for (var attempt = 1; ; attempt++)
            {
                try
                {
                    var outcome = await grain.Apply(batch);
                    metrics.Applied(outcome.Applied, outcome.Duplicates);
                    foreach (var rejection in outcome.Rejections)
                    {
                        rejects.Report(rejection);
                    }

                    return;
                }
                catch (Exception e) when (attempt < 3)
                {
                    logger.LogDebug(e, "applying {Count} readings to {Enterprise}/{Order} failed; retrying", readings.Length, enterprise, order);
                    await Task.Delay(100 * attempt);
                }
            }
        }
        catch (Exception e)
        {
            metrics.Failed(readings.Length);
            logger.LogWarning(e, "{Count} readings for {Enterprise}/{Order} were not applied; terminals heal this at the next epoch",
                readings.Length, enterprise, order);
        }
        finally
        {
            Interlocked.Add(ref _pending, -readings.Length);
            _inFlight.Release();
        }
    }

    private async Task DispatchStatuses()
    {
        var reader = _statuses.Reader;
        var groups = new Dictionary<string, List<TerminalStatus>>(StringComparer.Ordinal);
        while (await reader.WaitToReadAsync())
        {
            groups.Clear();
            while (groups.Count < 1_000 && reader.TryRead(out var item))
            {
                if (!groups.TryGetValue(item.Enterprise, out var list))
                {
                    groups[item.Enterprise] = list = [];
                }

                list.Add(item.Status);
            }

            await Task.WhenAll(groups.Select(async group =>
            {
                try
                {
                    await grains.GetGrain<IEnterpriseGrain>(group.Key).UpdateTerminals([.. group.Value]);
                }
                catch (Exception e)
                {
                    logger.LogWarning(e, "terminal states of {Enterprise} were not recorded", group.Key);
                }
            }));
        }
    }
}
