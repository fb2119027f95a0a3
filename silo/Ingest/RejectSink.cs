using System.Text.Json;
using System.Threading.Channels;
using IndustryBrain.Contracts;
using IndustryBrain.Domain;

namespace IndustryBrain.Silo.Ingest;

/// <summary>
/// Where rejections go: counted at once, answered on the terminal's reject topic, and kept for
/// inspection in the district's reject log (sent there in batches, never one call per message).
/// The sink knows no broker: the broker the brain speaks through (embedded, or the client of an external
/// one) subscribes to <see cref="Answer"/> while it runs, so the ingest and the broker depend on the sink,
/// never the sink on them.
/// </summary>
public sealed class RejectSink(IngestMetrics metrics, IGrainFactory grains, ILogger<RejectSink> logger)
    : BackgroundService
{
    /// <summary>
    /// Raised with the reject topic and the answer for each rejection whose terminal can be answered
    /// (valid enterprise and terminal ids); the broker publishes it.
    /// </summary>
    public event Func<string, byte[], Task>? Answer;

    private readonly Channel<Rejection> _log = Channel.CreateBounded<Rejection>(
        new BoundedChannelOptions(10_000) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true });

    public void Report(Rejection rejection)
    {
        metrics.Rejected(rejection.Reason);
        _log.Writer.TryWrite(rejection);
        if (Ids.IsValid(rejection.Enterprise) && Ids.IsValid(rejection.Terminal) && Answer is { } answer)
        {
            var reply = JsonSerializer.SerializeToUtf8Bytes(new { reason = rejection.Reason, seq = rejection.Seq, detail = rejection.Detail });
            _ = answer(Topics.Reject(rejection.Enterprise, rejection.Terminal), reply)
                .ContinueWith(t => logger.LogDebug(t.Exception, "reject reply not published"), TaskContinuationOptions.OnlyOnFaulted);
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var log = grains.GetGrain<IRejectLogGrain>(Keys.District);
        var batch = new List<Rejection>();
        try
        {
            while (await _log.Reader.WaitToReadAsync(stoppingToken))
            {
                batch.Clear();
                while (batch.Count < 1_000 && _log.Reader.TryRead(out var rejection))
                {
                    batch.Add(rejection);
                }

                try
                {
                    await log.Add([.. batch]);
                }
                catch (Exception e) when (!stoppingToken.IsCancellationRequested)
                {
                    logger.LogWarning(e, "{Count} rejections were not kept in the reject log", batch.Count);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }
}
