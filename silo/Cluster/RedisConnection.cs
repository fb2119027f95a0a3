using StackExchange.Redis;

namespace IndustryBrain.Silo.Cluster;

/// <summary>The silo's own Redis connection (the Orleans providers keep theirs), made on first use and kept.</summary>
public sealed class RedisConnection(ClusterIdentity identity) : IAsyncDisposable
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private ConnectionMultiplexer? _multiplexer;

    public async Task<IDatabase> Database()
    {
        if (_multiplexer is null)
        {
            await _gate.WaitAsync();
            try
            {
                if (_multiplexer is null)
                {
                    var options = ConfigurationOptions.Parse(identity.Redis);
                    options.AbortOnConnectFail = false;
                    _multiplexer = await ConnectionMultiplexer.ConnectAsync(options);
                }
            }
            finally
            {
                _gate.Release();
            }
        }

        return _multiplexer.GetDatabase();
    }

    public async ValueTask DisposeAsync()
    {
        if (_multiplexer is not null)
        {
            await _multiplexer.DisposeAsync();
        }
    }
}
