using IndustryBrain.Silo.Epoch;
using IndustryBrain.Silo.Mqtt;
using Microsoft.Extensions.Options;

namespace IndustryBrain.Silo.Cluster;

/// <summary>
/// Watches Orleans membership. When the cluster declares a silo dead without it having shut down (a
/// kill, a crash, a lost machine), whatever that silo held in memory and had not saved is gone, and so
/// are the messages it had taken from the broker: the surviving silos end its broker session (so the
/// broker stops queueing its share) and one of them begins a new epoch, so terminals resend and every
/// count heals. A silo that stops cleanly is declared dead too, by itself; a snapshot may skip its
/// "shutting down" (the updates give the latest view, not every step), so its run flag in the epoch store
/// decides: "stopping" until its grains have saved, then "clean"; a silo whose flag does not reach "clean"
/// within <see cref="CleanStopPatience"/> is answered as lost.
/// </summary>
public sealed class SiloLossWatch(
    IClusterMembershipService membership,
    ILocalSiloDetails local,
    BrainEpoch epoch,
    IEpochStore runs,
    IServiceProvider services,
    IOptions<MqttOptions> mqtt,
    TimeProvider time,
    ILogger<SiloLossWatch> logger) : BackgroundService
{
    /// <summary>How long a silo in a clean stop may take from leaving the cluster to having saved everything.</summary>
    public static readonly TimeSpan CleanStopPatience = TimeSpan.FromSeconds(60);

    private static readonly TimeSpan FlagPoll = TimeSpan.FromMilliseconds(200);

    /// <summary>Silos this one saw declared dead while they were active, and answered as lost.</summary>
    public int LossesSeen { get; private set; }

    /// <summary>Silos this one saw leave the cluster after a clean stop.</summary>
    public int CleanStopsSeen { get; private set; }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var known = new Dictionary<SiloAddress, SiloStatus>();
        var first = true;
        try
        {
            await foreach (var snapshot in membership.MembershipUpdates.WithCancellation(stoppingToken))
            {
                var lost = new List<ClusterMember>();
                foreach (var (address, member) in snapshot.Members)
                {
                    known.TryGetValue(address, out var before);
                    if (!first && member.Status == SiloStatus.Dead
                        && before is SiloStatus.Active or SiloStatus.Joining or SiloStatus.Created or SiloStatus.ShuttingDown or SiloStatus.Stopping
                        && !address.Equals(local.SiloAddress))
                    {
                        lost.Add(member);
                    }

                    known[address] = member.Status;
                }

                first = false;
                foreach (var member in lost)
                {
                    if (await StoppedCleanly(member, stoppingToken))
                    {
                        CleanStopsSeen++;
                        logger.LogInformation("Silo {Silo} ({Name}) left the cluster after a clean stop", member.SiloAddress, member.Name);
                        continue;
                    }

                    await Answer(member, membership.CurrentSnapshot, stoppingToken);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    private async Task<bool> StoppedCleanly(ClusterMember dead, CancellationToken cancellationToken)
    {
        try
        {
            var deadline = time.GetUtcNow() + CleanStopPatience;
            while (true)
            {
                switch (await runs.RunOf(dead.Name))
                {
                    case SiloRun.Clean:
                        return true;
                    case SiloRun.Stopping when time.GetUtcNow() < deadline:
                        await Task.Delay(FlagPoll, time, cancellationToken);
                        break;
                    default:
                        return false;
                }
            }
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            logger.LogWarning("The run flag of silo {Name} could not be read ({Error}); its loss is answered", dead.Name, e.Message);
            return false;
        }
    }

    private async Task Answer(ClusterMember dead, ClusterMembershipSnapshot snapshot, CancellationToken cancellationToken)
    {
        LossesSeen++;
        logger.LogWarning("Silo {Silo} ({Name}) was declared dead", dead.SiloAddress, dead.Name);
        try
        {
            var restarted = snapshot.Members.Values.Any(m => m.Name == dead.Name && m.Status == SiloStatus.Active);
            if (!restarted && dead.Name != local.Name && services.GetService<BrokerConnection>() is { } broker)
            {
                await broker.EndSessionOf(BrokerConnection.ClientIdOf(mqtt.Value, dead.Name), cancellationToken);
            }

            await epoch.Renew($"silo {dead.Name} was declared dead", once: "silo-dead:" + dead.SiloAddress.ToParsableString(), cause: "silo-dead");
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested)
        {
            logger.LogError(e, "the loss of silo {Silo} was not answered with a new epoch", dead.SiloAddress);
        }
    }
}
