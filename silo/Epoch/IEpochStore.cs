namespace IndustryBrain.Silo.Epoch;

/// <summary>
/// Where the brain's epoch lives: the embedded default's local database, or Redis for a cluster, where
/// every silo must see the same epoch and one silo's loss is answered once.
/// </summary>
public interface IEpochStore
{
    /// <summary>
    /// Called once as a silo starts. Answers the epoch to publish: the stored one when nothing was lost
    /// (this silo stopped cleanly last time, or never ran), otherwise a new one made from <paramref name="candidate"/>.
    /// Marks this silo as running, so a crash before <see cref="MarkCleanStop"/> is noticed at the next start.
    /// </summary>
    Task<(string Epoch, bool Renewed)> Begin(string silo, string candidate);

    /// <summary>The epoch every silo should publish now, or null when none was ever made.</summary>
    Task<string?> Current();

    /// <summary>
    /// Makes a new epoch, at least <paramref name="candidate"/> and later than the current one, unless
    /// <paramref name="once"/> names an event that some silo already answered, or the current epoch is
    /// already later than <paramref name="unlessAfter"/>. Answers the epoch now in force and whether it is new.
    /// </summary>
    Task<(string Epoch, bool Renewed)> Renew(string candidate, string? once, string? unlessAfter);

    /// <summary>
    /// Records that this silo began a clean stop: it leaves the cluster, and its grains are still saving
    /// until <see cref="MarkCleanStop"/>. A start that finds this mark begins a new epoch.
    /// </summary>
    Task MarkStopping(string silo);

    /// <summary>Records that this silo stopped with everything saved.</summary>
    Task MarkCleanStop(string silo);

    /// <summary>How <paramref name="silo"/> last left or runs, as its run flag says.</summary>
    Task<SiloRun> RunOf(string silo);
}
