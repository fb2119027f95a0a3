using IndustryBrain.Contracts;
using IndustryBrain.Silo.Grains;
using Microsoft.Extensions.Options;

namespace IndustryBrain.Silo.Security;

/// <summary>
/// Secure by default: at start, the administrator's key is either the one set by Auth:AdminKey (its hash is
/// stored) or, when none is set and the registry has no administrator yet, a new one that is logged once,
/// in a banner (the key on a line of its own), and stored only as a hash. Later starts find it and print nothing.
/// </summary>
public sealed class AdminKeyBootstrap(
    IGrainFactory grains,
    IOptions<AuthOptions> options,
    TimeProvider time,
    ILogger<AdminKeyBootstrap> logger) : IHostedService
{
    /// <summary>Below this, a configured key earns a warning (a generated one has 52 random characters).</summary>
    public const int MinimumLength = 16;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var registry = grains.GetGrain<IKeyRegistryGrain>(Keys.District);
        var configured = options.Value.AdminKey;
        if (!string.IsNullOrEmpty(configured))
        {
            var known = await registry.Find(KeyRegistryGrain.AdminKeyId);
            if (known is not { Active: true, Configured: true } || !SecretHash.Verify(configured, known.Hash))
            {
                await registry.EnsureAdmin(new ApiKeyRecord(KeyRegistryGrain.AdminKeyId, Roles.Admin, null,
                    SecretHash.Create(configured), time.GetUtcNow(), null, Configured: true));
            }

            if (configured.Length < MinimumLength)
            {
                logger.LogWarning("Auth:AdminKey is shorter than {Length} characters: whoever guesses it owns the brain", MinimumLength);
            }

            logger.LogInformation("The administrator's API key is the one set by Auth:AdminKey");
            return;
        }

        var key = Secrets.NewApiKey(KeyRegistryGrain.AdminKeyId);
        var created = await registry.EnsureAdmin(new ApiKeyRecord(KeyRegistryGrain.AdminKeyId, Roles.Admin, null,
            SecretHash.Create(key), time.GetUtcNow(), null));
        if (created)
        {
            // A banner that stands out among the start-up lines; the key itself on one line of its own.
            logger.LogWarning(
                "{Top}\n  No Auth:AdminKey is set, so the brain made the administrator's API key.\n  It is shown this once and stored only as a hash: keep it now.\n\n    export IB_KEY={AdminKey}\n\n  Send it as \"Authorization: Bearer $IB_KEY\" (curl), or let `brain` read IB_KEY; it also opens the cockpit page.\n  Lost it? Set Auth:AdminKey and restart.\n{Bottom}",
                Banner, key, Banner);
        }
    }

    private const string Banner = "================================================================================";

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
