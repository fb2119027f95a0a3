using System.Globalization;
using System.Net.ServerSentEvents;
using System.Runtime.CompilerServices;
using System.Text.Json;
using IndustryBrain.Silo.Cockpit;

namespace IndustryBrain.Silo.Board;

/// <summary>One board view as the stream sends it: serialized once, sent to every screen of the firm.</summary>
public sealed record BoardSnapshot(long Version, string Json);

/// <summary>
/// The dispatch boards' streams on this silo. A firm's board is watched only while a screen of it is open: then its
/// board grain is asked every <see cref="PollEvery"/> whether the view changed (a null answer when not, which costs
/// nothing), and a new view is serialized once and sent to each of the firm's screens. A reading reaches the screen
/// after its order's next report to the board (at most about a second) and this poll.
/// </summary>
public sealed class BoardFeed(IGrainFactory grains, TimeProvider time, ILogger<BoardFeed> logger) : IDisposable
{
    public static readonly TimeSpan PollEvery = TimeSpan.FromMilliseconds(200);

    /// <summary>
    /// A stream event carries at most this many orders, the most urgent first (late, at risk, then by due): a screen
    /// shows a dozen, and 500 orders make an event of about 420 KiB. <c>activeOrders</c> still counts them all; GET answers all.
    /// </summary>
    public const int StreamOrders = 60;

    private readonly Dictionary<string, Watch> _watches = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _stopping = new();

    /// <summary>Firms whose board a screen on this silo watches.</summary>
    public int Watched
    {
        get
        {
            lock (_watches)
            {
                return _watches.Count;
            }
        }
    }

    /// <summary>One screen's events: the latest view at once, then each new one, and a heartbeat event while nothing changes.</summary>
    public async IAsyncEnumerable<SseItem<string>> Stream(string enterprise, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var watch = Join(enterprise);
        try
        {
            long sent = long.MinValue;
            var first = true;
            while (!cancellationToken.IsCancellationRequested)
            {
                var next = Volatile.Read(ref watch.Next).Task;
                var latest = watch.Latest;
                if (latest is not null && latest.Version != sent)
                {
                    sent = latest.Version;
                    yield return new SseItem<string>(latest.Json)
                    {
                        EventId = latest.Version.ToString(CultureInfo.InvariantCulture),
                        ReconnectionInterval = first ? CockpitFeed.ReconnectAfter : null,
                    };
                    first = false;
                }

                if (!await Woken(next, cancellationToken) && !cancellationToken.IsCancellationRequested)
                {
                    yield return new SseItem<string>(time.GetUtcNow().ToString("O", CultureInfo.InvariantCulture), "heartbeat");
                }
            }
        }
        finally
        {
            Leave(enterprise, watch);
        }
    }

    private Watch Join(string enterprise)
    {
        lock (_watches)
        {
            if (!_watches.TryGetValue(enterprise, out var watch))
            {
                _watches[enterprise] = watch = new Watch(CancellationTokenSource.CreateLinkedTokenSource(_stopping.Token));
                _ = Task.Run(() => Poll(enterprise, watch));
            }

            watch.Clients++;
            return watch;
        }
    }

    private void Leave(string enterprise, Watch watch)
    {
        lock (_watches)
        {
            if (--watch.Clients == 0)
            {
                _watches.Remove(enterprise);
                watch.Stop.Cancel();
            }
        }
    }

    private async Task Poll(string enterprise, Watch watch)
    {
        var board = grains.GetGrain<IBoardGrain>(enterprise);
        var token = watch.Stop.Token;
        var failures = 0;
        while (!token.IsCancellationRequested)
        {
            try
            {
                if (await board.GetBoard(watch.Latest?.Version ?? -1) is { } view)
                {
                    var shown = view.Orders.Length > StreamOrders ? view with { Orders = view.Orders[..StreamOrders] } : view;
                    watch.Latest = new BoardSnapshot(view.Version, JsonSerializer.Serialize(shown, CockpitDocument.Json));
                    Interlocked.Exchange(ref watch.Next, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();
                }

                failures = 0;
            }
            catch (Exception e) when (!token.IsCancellationRequested)
            {
                if (failures++ % 20 == 0)
                {
                    logger.LogWarning(e, "The board feed could not read the board of {Enterprise} ({Failures} times in a row)", enterprise, failures);
                }
            }

            try
            {
                await Task.Delay(PollEvery, time, token);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }

        watch.Stop.Dispose();
    }

    private async Task<bool> Woken(Task next, CancellationToken cancellationToken)
    {
        try
        {
            await next.WaitAsync(CockpitFeed.HeartbeatEvery, time, cancellationToken);
            return true;
        }
        catch (TimeoutException)
        {
            return false;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    public void Dispose()
    {
        _stopping.Cancel();
        _stopping.Dispose();
    }

    private sealed class Watch(CancellationTokenSource stop)
    {
        public readonly CancellationTokenSource Stop = stop;
        public int Clients;
        public volatile BoardSnapshot? Latest;
        public TaskCompletionSource Next = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
