using IndustryBrain.Contracts;

namespace IndustryBrain.Silo.Grains;

/// <summary>What the key registry keeps in storage.</summary>
public sealed class KeyRegistryState
{
    public Dictionary<string, ApiKeyRecord> Keys { get; set; } = new(StringComparer.Ordinal);
}

/// <summary>The district's API keys, by key id; saved before every reply that changed them.</summary>
public sealed class KeyRegistryGrain(
    [PersistentState("keys", StorageNames.Store)] IPersistentState<KeyRegistryState> state,
    TimeProvider time) : Grain, IKeyRegistryGrain
{
    public const string AdminKeyId = "admin";

    private Dictionary<string, ApiKeyRecord> Keys => state.State.Keys;

    public async Task<bool> Add(ApiKeyRecord record)
    {
        if (Keys.ContainsKey(record.KeyId))
        {
            return false;
        }

        Keys[record.KeyId] = record;
        await state.WriteStateAsync();
        return true;
    }

    public Task<ApiKeyRecord?> Find(string keyId) => Task.FromResult(Keys.GetValueOrDefault(keyId));

    public Task<ApiKeySummary[]> List() => Task.FromResult(Keys.Values
        .OrderBy(k => k.CreatedAt)
        .ThenBy(k => k.KeyId, StringComparer.Ordinal)
        .Select(k => new ApiKeySummary(k.KeyId, k.Role, k.Enterprise, k.CreatedAt, k.RevokedAt))
        .ToArray());

    public async Task<KeyRevocation> Revoke(string keyId)
    {
        if (!Keys.TryGetValue(keyId, out var record))
        {
            return KeyRevocation.Unknown;
        }

        if (!record.Active)
        {
            return KeyRevocation.AlreadyRevoked;
        }

        if (record.Configured)
        {
            return KeyRevocation.Configured;
        }

        if (record.Role == Roles.Admin && !Keys.Values.Any(k => k.Active && k.Role == Roles.Admin && k.KeyId != keyId))
        {
            return KeyRevocation.LastAdmin;
        }

        Keys[keyId] = record with { RevokedAt = time.GetUtcNow() };
        await state.WriteStateAsync();
        return KeyRevocation.Revoked;
    }

    public async Task<bool> EnsureAdmin(ApiKeyRecord record)
    {
        var known = Keys.GetValueOrDefault(AdminKeyId);
        if (record.Configured)
        {
            if (known is { Active: true, Configured: true } && known.Hash == record.Hash)
            {
                return false;
            }
        }
        else if (Keys.Values.Any(k => k.Active && k.Role == Roles.Admin && !(k.KeyId == AdminKeyId && k.Configured)))
        {
            // An administrator exists already; a key that was only configured counts no more once the
            // configuration dropped it.
            return false;
        }

        Keys[AdminKeyId] = record with { KeyId = AdminKeyId, Role = Roles.Admin, Enterprise = null, RevokedAt = null };
        await state.WriteStateAsync();
        return true;
    }
}
