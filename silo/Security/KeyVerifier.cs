using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using IndustryBrain.Contracts;
using IndustryBrain.Silo.Grains;
using Microsoft.Extensions.Options;

namespace IndustryBrain.Silo.Security;

/// <summary>
/// Tells who an API key belongs to. The key set by Auth:AdminKey is compared in memory; any other key is
/// looked up by its id in the registry and checked against its salted hash. A verified key is trusted for
/// Auth:CacheSeconds, since hashing on every request would be slow; revoking a key on this silo forgets it
/// at once. Only verified keys are cached, by a digest of the key, never the key itself. Wrong secrets are
/// counted per key id and per client address (<see cref="FailureThrottle"/>): beyond Auth:FailureBurst, a key
/// that would have to be hashed is refused by rate, unhashed.
/// </summary>
public sealed class KeyVerifier
{
    public const int MaxKeyLength = 200;
    private const int MaxCached = 100_000;
    private readonly IGrainFactory _grains;
    private readonly TimeProvider _time;
    private readonly TimeSpan _trust;
    private readonly byte[]? _configuredAdmin;
    private readonly ConcurrentDictionary<string, (Caller Caller, DateTimeOffset Until)> _verified = new(StringComparer.Ordinal);
    private readonly FailureThrottle _failures;

    public KeyVerifier(IGrainFactory grains, IOptions<AuthOptions> options, TimeProvider time)
    {
        _grains = grains;
        _time = time;
        _trust = TimeSpan.FromSeconds(Math.Max(0, options.Value.CacheSeconds));
        var admin = options.Value.AdminKey;
        _configuredAdmin = string.IsNullOrEmpty(admin) ? null : Digest(admin);
        _failures = new FailureThrottle(options.Value.FailuresPerSecond, options.Value.FailureBurst);
    }

    /// <summary>
    /// The caller the key belongs to (null for a key that is unknown, wrong or revoked), or, when the key id or
    /// the <paramref name="address"/> presented too many wrong secrets lately, a refusal by rate before hashing.
    /// </summary>
    public async ValueTask<SecretCheck<Caller>> Check(string key, string? address)
    {
        var from = address is null ? null : "address:" + address;
        if (key.Length is 0 or > MaxKeyLength)
        {
            return Wrong(from, null);
        }

        var digest = Digest(key);
        if (_configuredAdmin is not null && CryptographicOperations.FixedTimeEquals(digest, _configuredAdmin))
        {
            return new(Caller.Admin(KeyRegistryGrain.AdminKeyId), null);
        }

        if (!Secrets.TryKeyId(key, out var keyId))
        {
            return Wrong(from, null);
        }

        var cacheKey = Convert.ToBase64String(digest);
        var now = _time.GetUtcNow();
        if (_verified.TryGetValue(cacheKey, out var hit) && hit.Until > now)
        {
            return new(hit.Caller, null);
        }

        // Beyond this point the secret would be hashed: not for a key id or an address over its budget of wrong ones.
        var id = "key:" + keyId;
        if (_failures.Refusal(id, from) is { } wait)
        {
            return new(null, wait);
        }

        var record = await _grains.GetGrain<IKeyRegistryGrain>(Keys.District).Find(keyId);
        if (record is not { Active: true } || !SecretHash.Verify(key, record.Hash))
        {
            _verified.TryRemove(cacheKey, out _);
            return Wrong(from, id);
        }

        var caller = new Caller(record.KeyId, record.Role, record.Enterprise);
        if (_trust > TimeSpan.Zero)
        {
            if (_verified.Count >= MaxCached)
            {
                _verified.Clear();
            }

            _verified[cacheKey] = (caller, now + _trust);
        }

        return new(caller, null);
    }

    private SecretCheck<Caller> Wrong(string? address, string? keyId)
    {
        if (address is not null || keyId is not null)
        {
            _failures.Failed(keyId ?? address!, keyId is null ? null : address);
        }

        return SecretCheck<Caller>.Wrong;
    }

    /// <summary>Raised with the key id when a key was revoked on this silo (what it keeps open ends at once).</summary>
    public event Action<string>? Forgotten;

    /// <summary>Stops trusting a key at once (it was revoked here).</summary>
    public void Forget(string keyId)
    {
        Forgotten?.Invoke(keyId);
        foreach (var (cacheKey, entry) in _verified)
        {
            if (entry.Caller.KeyId == keyId)
            {
                _verified.TryRemove(cacheKey, out _);
            }
        }
    }

    private static byte[] Digest(string key) => SHA256.HashData(Encoding.UTF8.GetBytes(key));
}
