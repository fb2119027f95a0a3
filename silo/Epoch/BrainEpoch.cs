using System.Text.Json;
using IndustryBrain.Silo.Cluster;
using IndustryBrain.Silo.Ingest;

namespace IndustryBrain.Silo.Epoch;

/// <summary>
/// The brain's epoch (docs/contract.md, "Epoch and resync"). A start after a clean stop keeps the
/// epoch, since nothing unsaved was lost; a start after a crash begins a new one, and so does any event
/// after which state may be missing: a silo of the cluster declared dead, a broker that lost a session
/// or reported dropped messages, a gap in the silos' broker subscription (<see cref="SubscriptionGap"/>).
/// Terminals that see a new epoch re-send their latest readings.
/// Registered before Orleans, so that its stop runs after every grain has saved its state.
/// </summary>
public sealed class BrainEpoch(IEpochStore store, ClusterIdentity identity, IngestMetrics metrics, TimeProvider time, ILogger<BrainEpoch> logger)
    : IHostedLifecycleService
{
    private readonly Lock _lock = new();
    private string _epoch = "";

    /// <summary>Raised with the new epoch after a renewal by this silo, for the broker side to publish.</summary>
    public event Func<string, Task>? Renewed;

    public string Epoch
    {
        get
        {
            lock (_lock)
            {
                return _epoch;
            }
        }
    }

    /// <summary>How many times this silo renewed the epoch since it started.</summary>
    public int Renewals { get; private set; }

    public static byte[] Online(string epoch) => JsonSerializer.SerializeToUtf8Bytes(new { online = true, epoch });

    public static byte[] OfflinePayload => """{"online":false}"""u8.ToArray();

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var (epoch, renewed) = await store.Begin(identity.SiloName, EpochClock.Of(time.GetUtcNow()));
        Adopt(epoch);
        if (renewed)
        {
            metrics.EpochBegun("start");
            logger.LogInformation("Brain epoch {Epoch} begins; terminals will resend their latest readings", epoch);
        }
        else
        {
            logger.LogInformation("Brain epoch {Epoch} continues: this silo stopped cleanly or never ran", epoch);
        }
    }

    /// <summary>
    /// Begins a new epoch because of <paramref name="why"/>, unless another silo already answered the
    /// same event (<paramref name="once"/>) or the epoch was renewed after <paramref name="unlessAfter"/>.
    /// Answers true when this call made the new epoch (and published it through <see cref="Renewed"/>).
    /// </summary>
    public async Task<bool> Renew(string why, string? once = null, DateTimeOffset? unlessAfter = null, string? cause = null)
    {
        var (epoch, renewed) = await store.Renew(EpochClock.Of(time.GetUtcNow()), once,
            unlessAfter is { } after ? EpochClock.Of(after) : null);
        Adopt(epoch);
        if (!renewed)
        {
            logger.LogDebug("Epoch kept at {Epoch} after {Why}: already renewed", epoch, why);
            return false;
        }

        Renewals++;
        metrics.EpochBegun(cause ?? "other");
        logger.LogWarning("Brain epoch {Epoch} begins after {Why}; terminals will resend their latest readings", epoch, why);
        if (Renewed is { } handlers)
        {
            foreach (var handler in handlers.GetInvocationList().Cast<Func<string, Task>>())
            {
                await handler(epoch);
            }
        }

        return true;
    }

    /// <summary>The epoch every silo publishes now (the store's), adopted locally.</summary>
    public async Task<string> Refresh()
    {
        if (await store.Current() is { } current)
        {
            Adopt(current);
        }

        return Epoch;
    }

    /// <summary>Takes an epoch seen on the broker when it is later than the one known here.</summary>
    public void Adopt(string epoch)
    {
        lock (_lock)
        {
            if (string.CompareOrdinal(epoch, _epoch) > 0)
            {
                _epoch = epoch;
            }
        }
    }

    /// <summary>
    /// Before any service stops: the other silos of a cluster may see this one dead before its grains have
    /// saved, and read this mark to tell a clean stop from a loss (<see cref="Cluster.SiloLossWatch"/>).
    /// </summary>
    public async Task StoppingAsync(CancellationToken cancellationToken)
    {
        try
        {
            await store.MarkStopping(identity.SiloName);
        }
        catch (Exception e)
        {
            // The stop goes on: the other silos then see "running" and answer this stop as a loss, with a new epoch.
            logger.LogWarning("This silo's stop could not be marked in the epoch store ({Error}); the others will begin a new epoch", e.Message);
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => store.MarkCleanStop(identity.SiloName);

    public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
