using IndustryBrain.Silo.Storage;

namespace IndustryBrain.Silo.Epoch;

/// <summary>The embedded default's epoch: two settings in the local database. One silo, so no event is shared.</summary>
public sealed class SqliteEpochStore(SqliteStore store) : IEpochStore
{
    private const string EpochKey = "brain-epoch";
    private const string CleanKey = "brain-clean-stop";
    private readonly SemaphoreSlim _gate = new(1, 1);

    public async Task<(string Epoch, bool Renewed)> Begin(string silo, string candidate)
    {
        var stored = await store.GetSetting(EpochKey);
        var clean = await RunOf(silo) == SiloRun.Clean;
        var renewed = !clean || stored is null;
        var epoch = renewed ? EpochClock.After(stored, candidate) : stored!;
        if (renewed)
        {
            await store.PutSetting(EpochKey, epoch);
        }

        await store.PutSetting(CleanKey, "false");
        return (epoch, renewed);
    }

    public Task<string?> Current() => store.GetSetting(EpochKey);

    public async Task<(string Epoch, bool Renewed)> Renew(string candidate, string? once, string? unlessAfter)
    {
        await _gate.WaitAsync();
        try
        {
            var stored = await store.GetSetting(EpochKey);
            if (stored is not null && unlessAfter is not null && string.CompareOrdinal(stored, unlessAfter) > 0)
            {
                return (stored, false);
            }

            var epoch = EpochClock.After(stored, candidate);
            await store.PutSetting(EpochKey, epoch);
            return (epoch, true);
        }
        finally
        {
            _gate.Release();
        }
    }

    public Task MarkStopping(string silo) => store.PutSetting(CleanKey, "stopping");

    public Task MarkCleanStop(string silo) => store.PutSetting(CleanKey, "true");

    public async Task<SiloRun> RunOf(string silo) => await store.GetSetting(CleanKey) switch
    {
        null => SiloRun.Never,
        "true" => SiloRun.Clean,
        "stopping" => SiloRun.Stopping,
        _ => SiloRun.Running,
    };
}
