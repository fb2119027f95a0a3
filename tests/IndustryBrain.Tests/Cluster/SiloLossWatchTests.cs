using System.Collections.Immutable;
using System.Net;
using System.Threading.Channels;
using IndustryBrain.Silo.Cluster;
using IndustryBrain.Silo.Epoch;
using IndustryBrain.Silo.Ingest;
using IndustryBrain.Silo.Mqtt;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace IndustryBrain.Tests.Cluster;

/// <summary>
/// The watch that answers a lost silo with a new epoch, over a real Redis and the real epoch store. Orleans
/// gives the latest membership view, not every step of it: a silo in a clean stop can be seen going from
/// active straight to dead. The membership here is a feed of such views; the run flags decide.
/// </summary>
public sealed class SiloLossWatchTests
{
    private static readonly SiloAddress Here = SiloAddress.New(new IPEndPoint(IPAddress.Loopback, 11111), 1);
    private static readonly IPEndPoint OtherEndpoint = new(IPAddress.Loopback, 11112);

    [Fact]
    public async Task A_silo_seen_going_from_active_to_dead_is_lost_only_when_its_run_flag_does_not_reach_clean()
    {
        await using var redis = await RedisServer.Start();
        await using var world = await World.Start(redis.Port);

        // Stopped cleanly before the survivor looked: no loss, no epoch.
        await world.There.MarkStopping("silo-b");
        await world.There.MarkCleanStop("silo-b");
        world.Feed(SiloStatus.Active);
        world.Feed(SiloStatus.Dead);
        await Eventually.True(() => world.Watch.CleanStopsSeen == 1, "the clean stop seen");
        Assert.Equal(0, world.Watch.LossesSeen);

        // In its clean stop when the survivor looks, and clean a moment later: no loss.
        await world.There.Begin("silo-b", EpochClock.Of(world.Time.GetUtcNow()));
        await world.There.MarkStopping("silo-b");
        world.Feed(SiloStatus.Active, generation: 2);
        world.Feed(SiloStatus.Dead, generation: 2);
        world.Time.Advance(TimeSpan.FromSeconds(5));
        await world.There.MarkCleanStop("silo-b");
        await world.AdvanceUntil(() => world.Watch.CleanStopsSeen == 2, "the second clean stop seen");
        Assert.Equal(0, world.Watch.LossesSeen);

        // In its clean stop and never clean (it died while saving): lost once the patience is over.
        await world.There.Begin("silo-b", EpochClock.Of(world.Time.GetUtcNow()));
        await world.There.MarkStopping("silo-b");
        var seenDead = world.Time.GetUtcNow();
        world.Feed(SiloStatus.Active, generation: 3);
        world.Feed(SiloStatus.Dead, generation: 3);
        await world.AdvanceUntil(() => world.Watch.LossesSeen == 1, "the stop that never finished answered as a loss");
        Assert.True(world.Time.GetUtcNow() - seenDead >= SiloLossWatch.CleanStopPatience, "not before the patience is over");

        // Killed: lost at once.
        var epochBefore = world.Epoch.Epoch;
        await world.There.Begin("silo-b", EpochClock.Of(world.Time.GetUtcNow()));
        world.Feed(SiloStatus.Active, generation: 4);
        world.Feed(SiloStatus.Dead, generation: 4);
        // A loss is counted when seen, and answered with a new epoch just after: wait for the answer, not the count.
        await Eventually.True(() => world.Watch.LossesSeen == 2 && world.Epoch.Renewals >= 2, "the kill answered with a new epoch");
        Assert.Equal(2, world.Epoch.Renewals);
        Assert.True(string.CompareOrdinal(world.Epoch.Epoch, epochBefore) > 0, "a later epoch");
        Assert.Equal(2, world.Watch.CleanStopsSeen);
    }

    [Fact]
    public async Task A_silo_that_starts_after_dying_in_its_clean_stop_begins_a_new_epoch()
    {
        await using var redis = await RedisServer.Start();
        await using var world = await World.Start(redis.Port);
        var time = EpochClock.Of(world.Time.GetUtcNow().AddMinutes(1));

        await world.There.MarkStopping("silo-b");
        var (_, renewed) = await world.There.Begin("silo-b", time);
        Assert.True(renewed, "a stop that did not finish may have lost what its grains had not saved");

        await world.There.MarkStopping("silo-b");
        await world.There.MarkCleanStop("silo-b");
        (_, renewed) = await world.There.Begin("silo-b", EpochClock.Of(world.Time.GetUtcNow().AddMinutes(2)));
        Assert.False(renewed, "a clean stop keeps the epoch");
        Assert.Equal(SiloRun.Running, await world.There.RunOf("silo-b"));
    }

    /// <summary>A survivor ("silo-a") with its watch, and the epoch store as the other silo ("silo-b") sees it.</summary>
    private sealed class World : IAsyncDisposable
    {
        private readonly Membership _membership;
        private readonly List<IAsyncDisposable> _disposables = [];
        private long _version;

        private World(Membership membership) => _membership = membership;

        public required FakeTimeProvider Time { get; init; }

        public required SiloLossWatch Watch { get; init; }

        public required BrainEpoch Epoch { get; init; }

        public required RedisEpochStore There { get; init; }

        public static async Task<World> Start(int redisPort)
        {
            var time = new FakeTimeProvider(new DateTimeOffset(2026, 12, 1, 8, 0, 0, TimeSpan.Zero));
            var here = Identity(redisPort, "silo-a");
            var there = Identity(redisPort, "silo-b");
            var hereRedis = new RedisConnection(here);
            var thereRedis = new RedisConnection(there);
            var store = new RedisEpochStore(hereRedis, here);
            var epoch = new BrainEpoch(store, here, new IngestMetrics(), time, NullLogger<BrainEpoch>.Instance);
            await epoch.StartAsync(CancellationToken.None);
            var membership = new Membership();
            var world = new World(membership)
            {
                Time = time,
                Epoch = epoch,
                There = new RedisEpochStore(thereRedis, there),
                Watch = new SiloLossWatch(membership, new Local(), epoch, store, new ServiceCollection().BuildServiceProvider(),
                    Options.Create(new MqttOptions()), time, NullLogger<SiloLossWatch>.Instance),
            };
            world._disposables.AddRange([hereRedis, thereRedis]);
            await world.Watch.StartAsync(CancellationToken.None);
            return world;
        }

        /// <summary>One membership view: this silo active and the other at <paramref name="status"/>.</summary>
        public void Feed(SiloStatus status, int generation = 1)
        {
            var other = SiloAddress.New(OtherEndpoint, generation);
            var members = ImmutableDictionary<SiloAddress, ClusterMember>.Empty
                .Add(Here, new ClusterMember(Here, SiloStatus.Active, "silo-a"))
                .Add(other, new ClusterMember(other, status, "silo-b"));
            _membership.Publish(new ClusterMembershipSnapshot(members, new MembershipVersion(++_version)));
        }

        /// <summary>Moves the fake clock a second at a time until <paramref name="condition"/> holds.</summary>
        public Task AdvanceUntil(Func<bool> condition, string what) => Eventually.True(() =>
        {
            if (condition())
            {
                return true;
            }

            Time.Advance(TimeSpan.FromSeconds(1));
            return false;
        }, what);

        public async ValueTask DisposeAsync()
        {
            _membership.Complete();
            await Watch.StopAsync(CancellationToken.None);
            foreach (var disposable in _disposables)
            {
                await disposable.DisposeAsync();
            }
        }

        private static ClusterIdentity Identity(int redisPort, string name) => new()
        {
            Redis = $"127.0.0.1:{redisPort}",
            ServiceId = "loss-watch-test",
            ClusterId = "test",
            SiloName = name,
            AdvertisedHost = "127.0.0.1",
            SiloPort = 11111,
            GatewayPort = 30000,
        };
    }

    /// <summary>Membership views as the test publishes them, each one seen (Orleans may skip some; here the test skips them).</summary>
    private sealed class Membership : IClusterMembershipService
    {
        private readonly Channel<ClusterMembershipSnapshot> _views = Channel.CreateUnbounded<ClusterMembershipSnapshot>();

        public ClusterMembershipSnapshot CurrentSnapshot { get; private set; } =
            new(ImmutableDictionary<SiloAddress, ClusterMember>.Empty.Add(Here, new ClusterMember(Here, SiloStatus.Active, "silo-a")), new MembershipVersion(0));

        public IAsyncEnumerable<ClusterMembershipSnapshot> MembershipUpdates => Updates();

        public void Publish(ClusterMembershipSnapshot view) => _views.Writer.TryWrite(view);

        public void Complete() => _views.Writer.TryComplete();

        public ValueTask Refresh(MembershipVersion minimumVersion = default, CancellationToken cancellationToken = default) => ValueTask.CompletedTask;

        public Task<bool> TryKill(SiloAddress siloAddress) => Task.FromResult(false);

        private async IAsyncEnumerable<ClusterMembershipSnapshot> Updates()
        {
            yield return CurrentSnapshot;
            await foreach (var view in _views.Reader.ReadAllAsync())
            {
                CurrentSnapshot = view;
                yield return view;
            }
        }
    }

    private sealed class Local : ILocalSiloDetails
    {
        public string Name => "silo-a";

        public string ClusterId => "test";

        public string DnsHostName => "localhost";

        public SiloAddress SiloAddress => Here;

        public SiloAddress GatewayAddress => Here;
    }
}
