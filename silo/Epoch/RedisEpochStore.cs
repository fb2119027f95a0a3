using IndustryBrain.Silo.Cluster;
using StackExchange.Redis;

namespace IndustryBrain.Silo.Epoch;

/// <summary>
/// The cluster's epoch in Redis: one key every silo reads and renews with a script, so a renewal is
/// atomic, epochs only move forward, and an event that every silo sees (a silo declared dead, drops the
/// broker reported) renews the epoch once, not once per silo.
/// </summary>
public sealed class RedisEpochStore(RedisConnection redis, ClusterIdentity identity) : IEpochStore
{
    private static readonly TimeSpan EventMemory = TimeSpan.FromHours(1);

    // KEYS[1] epoch, KEYS[2] the silo's run flag. ARGV[1] candidate. Answers {epoch, 1 renewed | 0 kept | -1 candidate too old}.
    private const string BeginScript = """
        local current = redis.call('GET', KEYS[1])
        local flag = redis.call('GET', KEYS[2])
        if current and (not flag or flag == 'clean') then
          redis.call('SET', KEYS[2], 'running')
          return {current, 0}
        end
        if current and ARGV[1] <= current then return {current, -1} end
        redis.call('SET', KEYS[1], ARGV[1])
        redis.call('SET', KEYS[2], 'running')
        return {ARGV[1], 1}
        """;

    // KEYS[1] epoch, KEYS[2] (optional) the event's once key. ARGV[1] candidate, ARGV[2] unlessAfter or '', ARGV[3] once ttl.
    private const string RenewScript = """
        local current = redis.call('GET', KEYS[1])
        if current and ARGV[2] ~= '' and current > ARGV[2] then return {current, 0} end
        if current and ARGV[1] <= current then return {current, -1} end
        if #KEYS > 1 and not redis.call('SET', KEYS[2], '1', 'NX', 'EX', ARGV[3]) then return {current or '', 0} end
        redis.call('SET', KEYS[1], ARGV[1])
        return {ARGV[1], 1}
        """;

    private RedisKey EpochKey => identity.RedisKey("epoch");

    private RedisKey RunKey(string silo) => identity.RedisKey("silo-run:" + silo);

    public async Task<(string Epoch, bool Renewed)> Begin(string silo, string candidate)
    {
        var db = await redis.Database();
        for (var attempt = 0; ; attempt++)
        {
            var result = (RedisResult[])(await db.ScriptEvaluateAsync(BeginScript, [EpochKey, RunKey(silo)], [candidate]))!;
            var epoch = (string)result[0]!;
            var outcome = (int)result[1];
            if (outcome >= 0 || attempt > 5)
            {
                return (epoch, outcome == 1);
            }

            candidate = EpochClock.After(epoch, candidate);
        }
    }

    public async Task<string?> Current() => await (await redis.Database()).StringGetAsync(EpochKey);

    public async Task<(string Epoch, bool Renewed)> Renew(string candidate, string? once, string? unlessAfter)
    {
        var db = await redis.Database();
        RedisKey[] keys = once is null ? [EpochKey] : [EpochKey, identity.RedisKey("event:" + once)];
        for (var attempt = 0; ; attempt++)
        {
            var result = (RedisResult[])(await db.ScriptEvaluateAsync(RenewScript, keys,
                [candidate, unlessAfter ?? "", (long)EventMemory.TotalSeconds]))!;
            var epoch = (string)result[0]!;
            var outcome = (int)result[1];
            if (outcome >= 0 || attempt > 5)
            {
                return (epoch, outcome == 1);
            }

            candidate = EpochClock.After(epoch, candidate);
        }
    }

    public async Task MarkStopping(string silo) => await (await redis.Database()).StringSetAsync(RunKey(silo), "stopping");

    public async Task MarkCleanStop(string silo) => await (await redis.Database()).StringSetAsync(RunKey(silo), "clean");

    public async Task<SiloRun> RunOf(string silo) => (string?)await (await redis.Database()).StringGetAsync(RunKey(silo)) switch
    {
        null => SiloRun.Never,
        "clean" => SiloRun.Clean,
        "stopping" => SiloRun.Stopping,
        _ => SiloRun.Running,
    };
}
