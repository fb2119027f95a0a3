using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using IndustryBrain.Domain;
using Microsoft.Extensions.Options;

namespace IndustryBrain.Silo.Security;

/// <summary>
/// Checks a terminal's MQTT username ({enterprise}/{terminal}) and password against the credential registry.
/// A verified pair is trusted for Auth:CacheSeconds (a terminal that reconnects is not hashed again); a
/// credential revoked or rotated on this silo is forgotten at once.
/// </summary>
public sealed class TerminalVerifier
{
    private const int MaxCached = 200_000;
    private readonly IGrainFactory _grains;
    private readonly TimeProvider _time;
    private readonly TimeSpan _trust;
    private readonly ConcurrentDictionary<string, (byte[] Digest, DateTimeOffset Until)> _verified = new(StringComparer.Ordinal);

    public TerminalVerifier(IGrainFactory grains, IOptions<AuthOptions> options, TimeProvider time)
    {
        _grains = grains;
        _time = time;
        _trust = TimeSpan.FromSeconds(Math.Max(0, options.Value.CacheSeconds));
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

    public async ValueTask<bool> Verify(string? username, string? password)
    {
        if (string.IsNullOrEmpty(password) || password.Length > 256 || !TryParseUsername(username, out var enterprise, out var terminal))
        {
            return false;
        }

        var digest = SHA256.HashData(Encoding.UTF8.GetBytes(password));
        var now = _time.GetUtcNow();
        if (_verified.TryGetValue(username!, out var hit) && hit.Until > now && CryptographicOperations.FixedTimeEquals(hit.Digest, digest))
        {
            return true;
        }

        var credential = await _grains.GetGrain<ITerminalCredentialsGrain>(enterprise).Find(terminal);
        if (credential is null || !SecretHash.Verify(password, credential.Hash))
        {
            return false;
        }

        if (_trust > TimeSpan.Zero)
        {
            if (_verified.Count >= MaxCached)
            {
                _verified.Clear();
            }

            _verified[username!] = (digest, now + _trust);
        }

        return true;
    }

    /// <summary>Stops trusting a terminal's credential at once (it was revoked or rotated here).</summary>
    public void Forget(string username) => _verified.TryRemove(username, out _);
}
