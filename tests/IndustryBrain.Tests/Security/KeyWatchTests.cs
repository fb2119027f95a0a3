using IndustryBrain.Silo.Security;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace IndustryBrain.Tests.Security;

/// <summary>The key watch that ends a revoked key's streams, with a fake clock and a fake registry.</summary>
public sealed class KeyWatchTests
{
    private static readonly Caller Official = new("k1", "official", null);

    private static (KeyWatch Watch, KeyVerifier Keys, FakeTimeProvider Time, HashSet<string> Revoked) Make()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 30, 12, 0, 0, TimeSpan.Zero));
        var keys = new KeyVerifier(null!, Options.Create(new AuthOptions { CacheSeconds = 5 }), time);
        var revoked = new HashSet<string>();
        var watch = new KeyWatch(keys, id => ValueTask.FromResult(!revoked.Contains(id)), TimeSpan.FromSeconds(5), time, NullLogger<KeyWatch>.Instance);
        return (watch, keys, time, revoked);
    }

    [Fact]
    public async Task A_key_revoked_on_another_silo_ends_the_stream_at_the_next_check()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 30, 12, 0, 0, TimeSpan.Zero));
        var keys = new KeyVerifier(null!, Options.Create(new AuthOptions { CacheSeconds = 5 }), time);
        var revoked = false;
        var checks = 0;
        var watch = new KeyWatch(keys, _ =>
        {
            Interlocked.Increment(ref checks);
            return ValueTask.FromResult(!Volatile.Read(ref revoked));
        }, TimeSpan.FromSeconds(5), time, NullLogger<KeyWatch>.Instance);
        using var stream = watch.Watch(Official, CancellationToken.None);

        time.Advance(TimeSpan.FromSeconds(5));
        await Eventually.True(() => Volatile.Read(ref checks) == 1, "the first check after 5 s");
        Assert.False(stream.IsCancellationRequested);

        Volatile.Write(ref revoked, true); // the registry says so; this silo's verifier was not told
        time.Advance(TimeSpan.FromSeconds(4));
        Assert.Equal(1, Volatile.Read(ref checks)); // no check is due before the period
        Assert.False(stream.IsCancellationRequested);
        time.Advance(TimeSpan.FromSeconds(1));
        await Eventually.True(() => stream.IsCancellationRequested, "stream.IsCancellationRequested");
        Assert.Equal(2, Volatile.Read(ref checks));
    }

    [Fact]
    public void A_key_revoked_on_this_silo_ends_the_stream_at_once_and_only_its_own()
    {
        var (watch, keys, _, _) = Make();
        using var mine = watch.Watch(Official, CancellationToken.None);
        using var other = watch.Watch(new Caller("k2", "official", null), CancellationToken.None);

        keys.Forget("k1");

        Assert.True(mine.IsCancellationRequested);
        Assert.False(other.IsCancellationRequested);
    }

    [Fact]
    public async Task A_stream_that_ended_stops_watching()
    {
        var (watch, keys, time, revoked) = Make();
        using var ends = new CancellationTokenSource();
        var stream = watch.Watch(Official, ends.Token);

        await ends.CancelAsync();
        stream.Dispose();
        revoked.Add("k1");
        time.Advance(TimeSpan.FromSeconds(10));
        keys.Forget("k1"); // nothing left to cancel, nothing thrown
    }
}
