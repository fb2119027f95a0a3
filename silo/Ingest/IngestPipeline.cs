using System.Buffers;
using System.Diagnostics;
using System.Threading.Channels;
using IndustryBrain.Contracts;
using IndustryBrain.Domain;
using IndustryBrain.Silo.Archive;
using IndustryBrain.Silo.Grains;
using IndustryBrain.Silo.Mqtt;
using IndustryBrain.Silo.Telemetry;
using Microsoft.Extensions.Options;

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
    IHistoryArchive archive,
    TimeProvider time,
    IOptions<TelemetryOptions> telemetry,
    IOptions<IngestOptions> options,
    IOptions<MqttOptions> mqtt,
    ILogger<IngestPipeline> logger) : BackgroundService, ILivePath
{
    /// <summary>
    /// Readings queued before the broker's connections are held: enough to keep every grain call
    /// batched, small enough that a burst waits at the broker rather than filling the heap.
    /// </summary>
    public const int QueueCapacity = 100_000;
    public const int MaxDrain = 50_000;
    public const int MaxCallsInFlight = 512;

    /// <summary>How long a batch is retried before its readings count as failed (healed at the next epoch).</summary>
    public static readonly TimeSpan RetryFor = TimeSpan.FromSeconds(30);

    [ThreadStatic]
    private static List<ParsedReading>? t_parsed;

    private readonly Channel<PendingReading> _readings = Channel.CreateBounded<PendingReading>(
        new BoundedChannelOptions(QueueCapacity) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });
    private readonly Channel<(string Enterprise, TerminalStatus Status)> _statuses =
        Channel.CreateUnbounded<(string, TerminalStatus)>(new UnboundedChannelOptions { SingleReader = true });
    private readonly SemaphoreSlim _inFlight = new(MaxCallsInFlight, MaxCallsInFlight);
    private readonly int _traceEvery = telemetry.Value.TraceEvery;
    private readonly TimestampWindow _window = options.Value.Window();
    private readonly int _maxPayloadBytes = mqtt.Value.MaxPayloadBytes;
    private long _pending;
    private long _messages;

    /// <summary>A reading waiting for its grain call: when it was taken, and the trace it is part of, if any.</summary>
    private readonly record struct PendingReading(string Enterprise, string Order, Reading Reading, long TakenAt, Activity? Trace);

    private sealed class OrderBatch
    {
        public List<Reading> Readings { get; } = [];
        public long TakenAt { get; set; }
        public Activity? Trace { get; set; }
    }

    /// <summary>Readings queued or in a grain call, not yet applied.</summary>
    public long Pending => Interlocked.Read(ref _pending);

    /// <summary>A tenth of the queue or more waits: the ingest is flat out (a district's load keeps it near empty).</summary>
    public bool Saturated => Pending >= QueueCapacity / 10;

    /// <summary>
    /// The one admission step for an MQTT message from either broker: the topic is parsed once, the payload's
    /// size checked against Mqtt:MaxPayloadBytes, then the payload parsed and its readings queued. Answers
    /// whether the message was the ingest's (a terminal's count or status) and, if it was refused, why
    /// (already counted, logged and answered on the reject topic).
    /// </summary>
    public ValueTask<Admission> Accept(string topic, ReadOnlySequence<byte> payload)
    {
        if (!Topics.TryParse(topic, out var kind, out var enterprise, out var terminal, out var badId))
        {
            return ValueTask.FromResult(Admission.NotOurs);
        }

        var now = time.GetUtcNow();
        if (payload.Length > _maxPayloadBytes)
        {
            return Refused(enterprise, terminal, new Refusal(RejectReasons.TooLarge, $"payload of {payload.Length} bytes is over {_maxPayloadBytes}"), now);
        }

        if (badId is not null)
        {
            return Refused(enterprise, terminal, new Refusal(RejectReasons.InvalidId, badId), now);
        }

        if (kind == TopicKind.Status)
        {
            var bad = ReadingParser.ParseStatus(payload, terminal, now, out var status, _window);
            if (bad is not null)
            {
                return Refused(enterprise, terminal, bad, now);
            }

            _statuses.Writer.TryWrite((enterprise, status!));
            return ValueTask.FromResult(Admission.Taken);
        }

        var parsed = t_parsed ??= new List<ParsedReading>(64);
        parsed.Clear();
        var refusal = ReadingParser.ParseCounts(payload, terminal, now, parsed, _window);
        if (refusal is not null)
        {
            return Refused(enterprise, terminal, refusal, now);
        }

        metrics.Received(parsed.Count);
        Interlocked.Add(ref _pending, parsed.Count);
        var trace = StartTrace(topic, parsed.Count);
        var takenAt = Stopwatch.GetTimestamp();
        var writer = _readings.Writer;
        for (var i = 0; i < parsed.Count; i++)
        {
            if (!writer.TryWrite(new PendingReading(enterprise, parsed[i].Order, parsed[i].Reading, takenAt, trace)))
            {
                // The queue is full: hold this connection until the dispatcher catches up.
                return WaitAndQueue(enterprise, parsed.Skip(i).ToArray(), takenAt, trace);
            }
        }

        trace?.Stop();
        parsed.Clear();
        return ValueTask.FromResult(Admission.Taken);
    }

    /// <summary>One message in <see cref="TelemetryOptions.TraceEvery"/> starts a trace, when anyone listens.</summary>
    private Activity? StartTrace(string topic, int readings)
    {
        if (_traceEvery <= 0 || !BrainTracing.Source.HasListeners() || Interlocked.Increment(ref _messages) % _traceEvery != 0)
        {
            return null;
        }

        var activity = BrainTracing.Source.StartActivity(BrainTracing.ReceiveName, ActivityKind.Consumer);
        activity?.SetTag("messaging.system", "mqtt");
        activity?.SetTag("messaging.destination.name", topic);
        activity?.SetTag("ib.readings", readings);
        return activity;
    }

    private async ValueTask<Admission> WaitAndQueue(string enterprise, ParsedReading[] rest, long takenAt, Activity? trace)
    {
        foreach (var reading in rest)
        {
            await _readings.Writer.WriteAsync(new PendingReading(enterprise, reading.Order, reading.Reading, takenAt, trace));
        }

        trace?.Stop();
        return Admission.Taken;
    }

    private ValueTask<Admission> Refused(string enterprise, string terminal, Refusal refusal, DateTimeOffset now)
    {
        rejects.Report(new Rejection(enterprise, terminal, refusal.Reason, refusal.Seq, refusal.Detail, now));
        return ValueTask.FromResult(Admission.Refused(refusal));
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
        var groups = new Dictionary<(string Enterprise, string Order), OrderBatch>();
        while (await reader.WaitToReadAsync())
        {
            groups.Clear();
            var taken = 0;
            while (taken < MaxDrain && reader.TryRead(out var item))
            {
                var key = (item.Enterprise, item.Order);
                if (!groups.TryGetValue(key, out var batch))
                {
                    groups[key] = batch = new OrderBatch { TakenAt = item.TakenAt };
                }

                batch.Readings.Add(item.Reading);
                batch.Trace ??= item.Trace;
                taken++;
            }

            foreach (var (key, batch) in groups)
            {
                await _inFlight.WaitAsync();
                _ = Send(key.Enterprise, key.Order, batch.Readings.ToArray(), batch.TakenAt, batch.Trace);
            }
        }

        // Wait for the last calls.
        for (var i = 0; i < MaxCallsInFlight; i++)
        {
            await _inFlight.WaitAsync();
        }
    }

    private async Task Send(string enterprise, string order, Reading[] readings, long takenAt, Activity? trace)
    {
        using var apply = trace is null ? null : BrainTracing.Source.StartActivity(BrainTracing.ApplyName, ActivityKind.Internal, trace.Context);
        apply?.SetTag("ib.order", Keys.Order(enterprise, order));
        apply?.SetTag("ib.readings", readings.Length);
        try
        {
            var grain = grains.Grain<IProductionOrderGrain>(Keys.Order(enterprise, order));
            var batch = new ReadingBatch(readings);
            var started = Stopwatch.GetTimestamp();
            for (var attempt = 1; ; attempt++)
            {
                try
                {
                    var outcome = await grain.Apply(batch);
                    metrics.Applied(outcome.Applied, outcome.Duplicates);
                    metrics.Lag(Stopwatch.GetElapsedTime(takenAt));
                    foreach (var rejection in outcome.Rejections)
                    {
                        rejects.Report(rejection);
                    }

                    // The archive keeps what the order accepted, duplicates included (it ignores them by key), never
                    // what it refused. Queued without waiting: the live figures never wait for the archive.
                    archive.Readings(enterprise, order, Accepted(readings, outcome.Rejections));
                    return;
                }
                catch (Exception e) when (Stopwatch.GetElapsedTime(started) < RetryFor)
                {
                    // Readings are idempotent, so retrying is always safe. In a cluster a grain whose silo died
                    // answers again once membership declares that silo dead, some seconds later.
                    logger.LogDebug(e, "applying {Count} readings to {Enterprise}/{Order} failed; retrying", readings.Length, enterprise, order);
                    await Task.Delay(Math.Min(100 << Math.Min(attempt - 1, 5), 2_000));
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

    /// <summary>
    /// The readings of a batch less those the order refused (a refusal names the terminal and seq). A warning
    /// (<c>unknown-step</c>) refuses nothing: the order kept that count, so the archive keeps it too.
    /// </summary>
    public static Reading[] Accepted(Reading[] readings, Rejection[] rejections)
    {
        if (rejections.Length == 0)
        {
            return readings; // the usual case: nothing to look up, nothing allocated
        }

        var refused = rejections.Where(r => r.Seq is not null && r.Reason != RejectReasons.UnknownStep)
            .Select(r => (r.Terminal, r.Seq!.Value)).ToHashSet();
        return refused.Count == 0 ? readings : [.. readings.Where(r => !refused.Contains((r.Terminal, r.Seq)))];
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
                    TerminalStatus[] statuses = [.. group.Value];
                    await Task.WhenAll(
                        grains.Grain<IEnterpriseGrain>(group.Key).UpdateTerminals(statuses),
                        grains.Grain<IBoardGrain>(group.Key).UpdateTerminals(statuses));
                    foreach (var status in group.Value)
                    {
                        archive.Status(group.Key, status);
                    }
                }
                catch (Exception e)
                {
                    logger.LogWarning(e, "terminal states of {Enterprise} were not recorded", group.Key);
                }
            }));
        }
    }
}
