using IndustryBrain.Silo.Ingest;

namespace IndustryBrain.Silo.Epoch;

/// <summary>
/// Readings whose grain call still failed after the ingest's retries are lost from the brain's view,
/// though their terminals still hold them. Once such failures stop (the cause is gone), a new epoch asks
/// the terminals to resend, unless an epoch was already begun after the last failure.
/// </summary>
public sealed class LostReadingsWatch(IngestMetrics metrics, BrainEpoch epoch, TimeProvider time, ILogger<LostReadingsWatch> logger)
    : BackgroundService
{
    /// <summary>How long failures must have stopped before the epoch is renewed.</summary>
    public static readonly TimeSpan Quiet = TimeSpan.FromSeconds(3);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var answered = metrics.FailedTotal;
        var seen = answered;
        var lastFailure = time.GetUtcNow();
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1), time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                var failed = metrics.FailedTotal;
                var now = time.GetUtcNow();
                if (failed != seen)
                {
                    seen = failed;
                    lastFailure = now;
                    continue;
                }

                if (failed > answered && now - lastFailure >= Quiet)
                {
                    try
                    {
                        await epoch.Renew($"{failed - answered} readings were not applied", unlessAfter: lastFailure, cause: "readings-failed");
                        answered = failed;
                    }
                    catch (Exception e) when (!stoppingToken.IsCancellationRequested)
                    {
                        logger.LogWarning(e, "no new epoch after {Count} readings were not applied; trying again", failed - answered);
                    }
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }
}
