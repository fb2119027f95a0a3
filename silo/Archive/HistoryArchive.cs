using System.Diagnostics;
using System.Threading.Channels;
using IndustryBrain.Contracts;
using Microsoft.Extensions.Options;

namespace IndustryBrain.Silo.Archive;

/// <summary>
/// The archive's door for the hot path: the ingest hands it readings once their order grain applied them,
/// the enterprise grain its daily output, the bundle grain a bundle that ended. Every call returns at once
/// and never waits for the database: records wait in memory (at most History:QueueCapacity) for the
/// <see cref="ArchiveWriter"/>; what does not fit is counted as not archived, not waited for.
/// </summary>
public interface IHistoryArchive
{
    /// <summary>Readings of one order that its grain accepted (duplicates are harmless: the archive ignores them by key).</summary>
    void Readings(string enterprise, string order, IReadOnlyList<Reading> readings);

    /// <summary>A terminal's status message as the ingest took it.</summary>
    void Status(string enterprise, TerminalStatus status);

    /// <summary>An enterprise's output on one district day, as it stands now (a later one replaces it).</summary>
    void Day(string enterprise, string? chainNode, DailyOutput day, DateTimeOffset asOf);

    /// <summary>A bundle that ended (closed, failed or cancelled).</summary>
    void Bundle(BundleView bundle);
}

public enum ArchiveKind : byte
{
    Readings,
    Status,
    Day,
    Bundle,
}

/// <summary>One queued record; <see cref="Count"/> readings for a batch of readings, otherwise one.</summary>
public readonly record struct ArchiveItem(ArchiveKind Kind, string Enterprise, string? Key, object Payload, long QueuedAt, int Count);

/// <summary>An enterprise's output on a district day as the archive keeps it.</summary>
public sealed record ArchivedDay(string Enterprise, string? ChainNode, DateOnly Date, long Units, decimal Value, DateTimeOffset AsOf);

/// <summary>The bounded in-memory queue between the hot path and the <see cref="ArchiveWriter"/>.</summary>
public sealed class HistoryArchive : IHistoryArchive
{
    private readonly Channel<ArchiveItem> _queue = Channel.CreateUnbounded<ArchiveItem>(new UnboundedChannelOptions { SingleReader = true });
    private readonly HistoryMetrics _metrics;
    private readonly ILogger<HistoryArchive> _logger;
    private readonly long _capacity;
    private long _queued;
    private long _lastWarning;

    public HistoryArchive(IOptions<HistoryOptions> options, HistoryMetrics metrics, ILogger<HistoryArchive> logger)
    {
        _metrics = metrics;
        _logger = logger;
        _capacity = Math.Max(1, options.Value.QueueCapacity);
        Enabled = options.Value.Enabled;
    }

    /// <summary>False when History:Enabled is false.</summary>
    public bool Enabled { get; }

    /// <summary>Records waiting for the writer.</summary>
    public long Queued => Interlocked.Read(ref _queued);

    public long Capacity => _capacity;

    internal ChannelReader<ArchiveItem> Reader => _queue.Reader;

    /// <summary>True while a writer runs (grain tests run without one, and then nothing is queued).</summary>
    internal bool Accepting { get; set; }

    public void Readings(string enterprise, string order, IReadOnlyList<Reading> readings)
    {
        if (readings.Count > 0)
        {
            Queue(new ArchiveItem(ArchiveKind.Readings, enterprise, order, readings, Stopwatch.GetTimestamp(), readings.Count));
        }
    }

    public void Status(string enterprise, TerminalStatus status) =>
        Queue(new ArchiveItem(ArchiveKind.Status, enterprise, null, status, Stopwatch.GetTimestamp(), 1));

    public void Day(string enterprise, string? chainNode, DailyOutput day, DateTimeOffset asOf) =>
        Queue(new ArchiveItem(ArchiveKind.Day, enterprise, chainNode,
            new ArchivedDay(enterprise, chainNode, day.Date, day.Units, day.Value, asOf), Stopwatch.GetTimestamp(), 1));

    public void Bundle(BundleView bundle) =>
        Queue(new ArchiveItem(ArchiveKind.Bundle, "", bundle.Bundle, bundle, Stopwatch.GetTimestamp(), 1));

    /// <summary>The writer took these records off the queue.</summary>
    internal void Taken(int count) => Interlocked.Add(ref _queued, -count);

    /// <summary>No more records: the writer drains what is queued and stops.</summary>
    internal void Complete()
    {
        Accepting = false;
        _queue.Writer.TryComplete();
    }

    private void Queue(ArchiveItem item)
    {
        if (!Enabled || !Accepting)
        {
            return;
        }

        if (Interlocked.Add(ref _queued, item.Count) > _capacity)
        {
            Interlocked.Add(ref _queued, -item.Count);
            NotArchived(item, "queue-full");
            return;
        }

        if (!_queue.Writer.TryWrite(item))
        {
            Interlocked.Add(ref _queued, -item.Count);
            NotArchived(item, "stopped");
        }
    }

    private void NotArchived(ArchiveItem item, string cause)
    {
        _metrics.Dropped(item.Kind, item.Count, cause);

        // One warning a minute at most: a slow database under load would otherwise flood the log.
        var now = Environment.TickCount64;
        var last = Interlocked.Read(ref _lastWarning);
        if (now - last > 60_000 && Interlocked.CompareExchange(ref _lastWarning, now, last) == last)
        {
            _logger.LogWarning("The history archive is behind by {Queued} records (capacity {Capacity}): records are not archived ({Cause}); {Dropped} so far",
                Queued, _capacity, cause, _metrics.DroppedTotal);
        }
    }
}
