using System.Globalization;
using System.Text.Json;
using IndustryBrain.Silo.Storage;

namespace IndustryBrain.Silo.Mqtt;

/// <summary>
/// The brain's epoch (CONTRACT.md, "Brain state and resync"). A start after a clean stop keeps the
/// epoch, since nothing unsaved was lost; any other start (a crash, a kill) begins a new one, and
/// terminals that see it re-send their latest readings. Registered before Orleans, so that its stop
/// runs after every grain has saved its state.
/// </summary>
public sealed class BrainEpoch(SqliteStore store, TimeProvider time, ILogger<BrainEpoch> logger) : IHostedService
{
    private const string EpochKey = "brain-epoch";
    private const string CleanKey = "brain-clean-stop";

    public string Epoch { get; private set; } = "";

    public byte[] OnlinePayload => JsonSerializer.SerializeToUtf8Bytes(new { online = true, epoch = Epoch });

    public static byte[] OfflinePayload => """{"online":false}"""u8.ToArray();

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var stored = await store.GetSetting(EpochKey);
        var clean = await store.GetSetting(CleanKey) == "true";
        if (clean && stored is not null)
        {
            Epoch = stored;
            logger.LogInformation("Brain epoch {Epoch} continues after a clean stop", Epoch);
        }
        else
        {
            Epoch = time.GetUtcNow().ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);
            await store.PutSetting(EpochKey, Epoch);
            logger.LogInformation("Brain epoch {Epoch} begins; terminals will resend their latest readings", Epoch);
        }

        await store.PutSetting(CleanKey, "false");
    }

    public Task StopAsync(CancellationToken cancellationToken) => store.PutSetting(CleanKey, "true");
}
