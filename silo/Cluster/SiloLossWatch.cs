using IndustryBrain.Silo.Epoch;
using IndustryBrain.Silo.Mqtt;
using Microsoft.Extensions.Options;

namespace IndustryBrain.Silo.Cluster;

/// <summary>
/// Watches Orleans membership. When the cluster declares a silo dead without it having shut down (a
/// kill, a crash, a lost machine), whatever that silo held in memory and had not saved is gone, and so
/// are the messages it had taken from the broker: the surviving silos end its broker session (so the
/// broker stops queueing its share) and one of them begins a new epoch, so terminals resend and every
/// count heals.
/// </summary>
public sealed class SiloLossWatch(
    IClusterMembershipService membership,
    ILocalSiloDetails local,
    BrainEpoch epoch,
    IServiceProvider services,
    IOptions<MqttOptions> mqtt,
    ILogger<SiloLossWatch> logger) : BackgroundService
{
    /// <summary>Silos this one saw declared dead while they were active.</summary>
    public int LossesSeen { get; private set; }

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
                    if (!first && member.Status == SiloStatus.Dead && before is SiloStatus.Active or SiloStatus.Joining or SiloStatus.Created
                        && !address.Equals(local.SiloAddress))
                    {
                        lost.Add(member);
                    }

                    known[address] = member.Status;
                }

                first = false;
                foreach (var member in lost)
                {
                    await Answer(member, snapshot, stoppingToken);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
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
