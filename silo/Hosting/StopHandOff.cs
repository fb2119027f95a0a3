using IndustryBrain.Domain;

namespace IndustryBrain.Silo.Hosting;

/// <summary>
/// A clean stop, before Orleans deactivates anything: every order active on this silo hands its latest
/// figures to its enterprise, then every active enterprise hands its roll-up to the district, while every
/// grain can still be reached. Grains deactivated by the stop afterwards only save, so a stop sends no call
/// into a silo that no longer places grains (which Orleans logs as errors with stack traces).
/// Started after Orleans and stopped before it, after the ingest has applied what it took.
/// </summary>
public sealed class StopHandOff(IGrainFactory grains, ILocalSiloDetails silo, ILogger<StopHandOff> logger) : IHostedService
{
    private const int CallsInFlight = 256;

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        try
        {
            var active = await grains.GetGrain<IManagementGrain>(0).GetDetailedGrainStatistics(null, [silo.SiloAddress]);
            var orderType = grains.GetGrain<IProductionOrderGrain>(Keys.Order("e", "o")).GetGrainId().Type;
            var enterpriseType = grains.GetGrain<IEnterpriseGrain>("e").GetGrainId().Type;
            var orders = active.Where(a => a.GrainId.Type == orderType).Select(a => a.GrainId.Key.ToString()!).ToArray();
            var enterprises = active.Where(a => a.GrainId.Type == enterpriseType).Select(a => a.GrainId.Key.ToString()!).ToArray();
            var options = new ParallelOptions { MaxDegreeOfParallelism = CallsInFlight, CancellationToken = cancellationToken };
            await Parallel.ForEachAsync(orders, options, async (key, _) => await grains.GetGrain<IProductionOrderGrain>(key).HandOff());
            await Parallel.ForEachAsync(enterprises, options, async (key, _) => await grains.GetGrain<IEnterpriseGrain>(key).HandOff());
            logger.LogDebug("{Orders} orders and {Enterprises} enterprises handed their figures on before the stop", orders.Length, enterprises.Length);
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            // What did not get through is saved by each grain on deactivation, and reported again on its next change.
            logger.LogWarning("Not every order and enterprise handed its figures on before the stop: {Error}", e.Message);
        }
        catch (OperationCanceledException)
        {
            logger.LogWarning("The stop's time ran out before every order and enterprise handed its figures on");
        }
    }
}
