using IndustryBrain.Silo.Grains;
using Microsoft.Extensions.Options;

namespace IndustryBrain.Silo.Security;

/// <summary>
/// Ends what a key keeps open (the cockpit's Server-Sent Events streams) once the key is revoked: at once
/// when it is revoked on this silo, and within Auth:CacheSeconds (at least a second) when it is revoked on
/// another silo of a cluster, by asking the registry whether the key is still active that often. The secret
/// was verified when the stream opened and a key is never re-issued under its id, so the check is the key's
/// state alone: no hashing. A registry that does not answer keeps the stream (the next check asks again).
/// </summary>
public sealed class KeyWatch
{
    private readonly KeyVerifier _keys;
    private readonly Func<string, ValueTask<bool>> _isActive;
    private readonly TimeProvider _time;
    private readonly ILogger<KeyWatch> _logger;

    public KeyWatch(IGrainFactory grains, KeyVerifier keys, IOptions<AuthOptions> options, TimeProvider time, ILogger<KeyWatch> logger)
        : this(keys, async keyId => await grains.GetGrain<IKeyRegistryGrain>(Keys.District).Find(keyId) is { Active: true },
            TimeSpan.FromSeconds(Math.Max(1, options.Value.CacheSeconds)), time, logger)
    {
    }

    /// <summary>For tests: the key's state from <paramref name="isActive"/>, checked every <paramref name="every"/>.</summary>
    public KeyWatch(KeyVerifier keys, Func<string, ValueTask<bool>> isActive, TimeSpan every, TimeProvider time, ILogger<KeyWatch> logger)
    {
        _keys = keys;
        _isActive = isActive;
        Every = every;
        _time = time;
        _logger = logger;
    }

    /// <summary>How often the registry is asked.</summary>
    public TimeSpan Every { get; }

    /// <summary>
    /// A source whose token is cancelled when <paramref name="ends"/> is, or when the caller's key is revoked.
    /// The caller disposes it when what it guards has ended.
    /// </summary>
    public CancellationTokenSource Watch(Caller? caller, CancellationToken ends)
    {
        var source = CancellationTokenSource.CreateLinkedTokenSource(ends);
        if (caller is null)
        {
            return source;
        }

        var token = source.Token;
        void OnForgotten(string keyId)
        {
            if (keyId == caller.KeyId)
            {
                Cancel(source);
            }
        }

        _keys.Forgotten += OnForgotten;
        _ = Poll(caller.KeyId, source, token, () => _keys.Forgotten -= OnForgotten);
        return source;
    }

    private async Task Poll(string keyId, CancellationTokenSource source, CancellationToken token, Action stopListening)
    {
        try
        {
            using var timer = new PeriodicTimer(Every, _time);
            while (await timer.WaitForNextTickAsync(token))
            {
                try
                {
                    if (!await _isActive(keyId))
                    {
                        Cancel(source);
                    }
                }
                catch (Exception e) when (!token.IsCancellationRequested)
                {
                    _logger.LogDebug(e, "could not ask the key registry about key {KeyId}; asking again in {Every}", keyId, Every);
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
        finally
        {
            stopListening();
        }
    }

    private static void Cancel(CancellationTokenSource source)
    {
        try
        {
            source.Cancel();
        }
        catch (ObjectDisposedException)
        {
        }
    }
}
