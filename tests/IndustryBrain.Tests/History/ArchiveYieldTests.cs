using IndustryBrain.Contracts;
using IndustryBrain.Domain;
using IndustryBrain.Silo.Archive;
using IndustryBrain.Silo.Storage;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace IndustryBrain.Tests.History;

/// <summary>
/// The archive's writer and a saturated ingest (History:YieldSeconds), on a fake clock and a real SQLite archive: it
/// writes one batch in each window while the ingest is flat out, keeps the rest, and catches up when the load falls.
/// </summary>
public sealed class ArchiveYieldTests : IAsyncDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "ib-yield-" + Guid.NewGuid().ToString("N"));
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 1, 9, 0, 0, TimeSpan.Zero));
    private readonly HistoryMetrics _metrics = new();
    private readonly SqliteHistoryStore _store;
    private readonly HistoryArchive _archive;
    private readonly ArchiveWriter _writer;
    private readonly LivePath _live = new() { Saturated = true };

    private sealed class LivePath : ILivePath
    {
        private int _reads;
        private volatile bool _saturated;

        /// <summary>How often the writer has asked.</summary>
        public int Reads => Volatile.Read(ref _reads);

        public bool Saturated
        {
            get
            {
                Interlocked.Increment(ref _reads);
                return _saturated;
            }

            set => _saturated = value;
        }
    }

    public ArchiveYieldTests()
    {
        Directory.CreateDirectory(_folder);
        var options = Options.Create(new HistoryOptions { BatchSize = 100, GatherMilliseconds = 0, YieldSeconds = 5 });
        _store = new SqliteHistoryStore(Path.Combine(_folder, "history.db"));
        _archive = new HistoryArchive(options, Options.Create(new StorageOptions { Path = _folder }), _metrics, NullLogger<HistoryArchive>.Instance);
        _writer = new ArchiveWriter(_archive, _store, _metrics, options, _time, DistrictCalendar.For("Asia/Shanghai"), _live, NullLogger<ArchiveWriter>.Instance);
    }

    public async ValueTask DisposeAsync()
    {
        await _writer.DisposeAsync();
        await _store.DisposeAsync();
        _archive.Dispose();
        _metrics.Dispose();
        Directory.Delete(_folder, recursive: true);
    }

    /// <summary>Polls <paramref name="done"/>, moving the fake clock on by 10 ms a poll (never near a whole yield window).</summary>
    private async Task Until(Func<bool> done, string what)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (!done())
        {
            Assert.True(DateTime.UtcNow < deadline, $"waited 30 s for {what}: {_metrics.ReadingsWritten} written, {_archive.Queued} queued");
            _time.Advance(TimeSpan.FromMilliseconds(10));
            await Task.Delay(5);
        }
    }

    private Reading[] Readings(int first) =>
        [.. Enumerable.Range(first, 100).Select(seq => new Reading("T1", "rough-grind", 0, seq, seq, 0, _time.GetUtcNow().AddMinutes(-1)))];

    [Fact]
    public async Task While_the_ingest_is_saturated_the_writer_writes_one_batch_a_window_and_catches_up_after()
    {
        await _writer.StartAsync(default);
        await Until(() => _writer.Ready && _writer.Yielding, "the writer to stay behind the saturated ingest");
        for (var first = 1; first <= 300; first += 100)
        {
            _archive.Readings("qiaofeng", "QF-2611-0042", Readings(first));
        }

        await Until(() => _archive.Queued == 300 && _archive.SpooledBytes > 0, "the readings queued, and spooled while the writer stays behind");
        Assert.Equal(0, _metrics.ReadingsWritten);
        Assert.True(_writer.LagSeconds > 0, "the lag counts what waits, not only what the writer has in hand");

        _time.Advance(TimeSpan.FromSeconds(5));
        await Until(() => _metrics.ReadingsWritten == 100 && _writer.Yielding, "one batch written in the window");
        Assert.Equal(200, _archive.Queued);

        // The ingest's queue empties for a moment between its batches: not a fall in load, so still one batch a window.
        _live.Saturated = false;
        var asked = _live.Reads;
        await Until(() => _live.Reads >= asked + 5, "the writer to see the ingest's queue empty for a moment");
        _live.Saturated = true;
        Assert.Equal(100, _metrics.ReadingsWritten);
        Assert.True(_writer.Yielding);

        _live.Saturated = false;
        await Until(() => _metrics.ReadingsWritten == 300 && _archive.Queued == 0, "the rest written once the load fell");
        Assert.False(_writer.Yielding);
        await Until(() => _writer.LagSeconds == 0, "no lag once everything is written");
        var timeline = await _store.Timeline("qiaofeng", "QF-2611-0042", _time.GetUtcNow().AddDays(-1), _time.GetUtcNow().AddDays(1), 1_000, default);
        Assert.Equal(Enumerable.Range(1, 300).Select(seq => (long)seq), timeline.Select(r => r.Seq).Order());

        await _writer.StopAsync(default);
    }
}
