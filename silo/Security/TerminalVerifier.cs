using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using IndustryBrain.Domain;
using Microsoft.Extensions.Options;

namespace IndustryBrain.Silo.Security;

/// <summary>
/// Checks a terminal's MQTT username ({enterprise}/{terminal}) and password against the credential registry.
/// A verified pair is trusted for Auth:CacheSeconds (a terminal that reconnects is not hashed again); a
/// credential revoked or rotated on this silo is forgotten at once. Wrong passwords are counted per username and
/// per client address (<see cref="FailureThrottle"/>): beyond Auth:FailureBurst, a password that would have to
/// be hashed is refused by rate, unhashed.
/// </summary>
public sealed class TerminalVerifier
{
    private const int MaxCached = 200_000;
    private readonly IGrainFactory _grains;
    private readonly TimeProvider _time;
    private readonly TimeSpan _trust;
    private readonly ConcurrentDictionary<string, (byte[] Digest, DateTimeOffset Until)> _verified = new(StringComparer.Ordinal);
    private readonly FailureThrottle _failures;

    public TerminalVerifier(IGrainFactory grains, IOptions<AuthOptions> options, TimeProvider time)
    {
        _grains = grains;
        _time = time;
        _trust = TimeSpan.FromSeconds(Math.Max(0, options.Value.CacheSeconds));
        _failures = new FailureThrottle(options.Value.FailuresPerSecond, options.Value.FailureBurst);
    }

    /// <summary>Splits a username into its enterprise and terminal; false unless it is two valid ids.</summary>
    public static bool TryParseUsername(string? username, out string enterprise, out string terminal)
    {
        enterprise = terminal = "";
        if (username is null)
        {
            return false;
        }

        var slash = username.IndexOf('/');
        if (slash <= 0 || !Ids.IsValid(username.AsSpan(0, slash)) || !Ids.IsValid(username.AsSpan(slash + 1)))
        {
            return false;
        }

        enterprise = username[..slash];
        terminal = username[(slash + 1)..];
        return true;
    }

    /// <summary>
    /// The terminal's username when the password is its credential's (null when not), or, when the username or
    /// the <paramref name="address"/> presented too many wrong passwords lately, a refusal by rate before hashing.
    /// </summary>
    public async ValueTask<SecretCheck<string>> Check(string? username, string? password, string? address)
    {
        var from = address is null ? null : "address:" + address;
        if (string.IsNullOrEmpty(password) || password.Length > 256 || !TryParseUsername(username, out var enterprise, out var terminal))
        {
            return Wrong(from, null);
        }

        var digest = SHA256.HashData(Encoding.UTF8.GetBytes(password));
        var now = _time.GetUtcNow();
        if (_verified.TryGetValue(username!, out var hit) && hit.Until > now && CryptographicOperations.FixedTimeEquals(hit.Digest, digest))
        {
            return new(username, null);
        }

        // Beyond this point the password would be hashed: not for a username or an address over its budget of wrong ones.
        var user = "user:" + username;
        if (_failures.Refusal(user, from) is { } wait)
        {
            return new(null, wait);
        }

        var credential = await _grains.GetGrain<ITerminalCredentialsGrain>(enterprise).Find(terminal);
        if (credential is null || !SecretHash.Verify(password, credential.Hash))
        {
            return Wrong(from, user);
        }

        if (_trust > TimeSpan.Zero)
        {
            if (_verified.Count >= MaxCached)
            {
                _verified.Clear();
            }

            _verified[username!] = (digest, now + _trust);
        }

        return new(username, null);
    }

    private SecretCheck<string> Wrong(string? address, string? user)
    {
        if (address is not null || user is not null)
        {
            _failures.Failed(user ?? address!, user is null ? null : address);
        }

        return SecretCheck<string>.Wrong;
    }

    /// <summary>Stops trusting a terminal's credential at once (it was revoked or rotated here).</summary>
    public void Forget(string username) => _verified.TryRemove(username, out _);
}
