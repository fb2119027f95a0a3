using IndustryBrain.Contracts;

namespace IndustryBrain.Silo.Archive;

/// <summary>A reading as the archive's queue keeps it: a value in a shared chunk, not an object of its own.</summary>
public readonly record struct QueuedReading(string Terminal, string Step, int Run, long Seq, long Good, long Scrap, DateTimeOffset Ts)
{
    public static QueuedReading Of(Reading reading) =>
        new(reading.Terminal, reading.Step, reading.Run, reading.Seq, reading.Good, reading.Scrap, reading.Ts);

    public Reading ToReading() => new(Terminal, Step, Run, Seq, Good, Scrap, Ts);
}

/// <summary>
/// Where queued readings wait for the <see cref="ArchiveWriter"/>: copied into chunks of values, so that a long queue
/// is a few large arrays and not millions of small objects that the GC traces and promotes while they wait (with
/// 2,000,000 parsed readings queued, the ingest bench's silo ran 14 gen-2 collections against 6 without the archive).
/// The parsed readings then die young. A chunk goes back to a small pool once the writer has taken its last segment.
/// Not thread-safe: <see cref="HistoryArchive"/> calls it under its lock, so a chunk's segments are queued in order.
/// </summary>
public sealed class ReadingChunks
{
    /// <summary>Readings a chunk holds (64 bytes each: a chunk is a large object, never copied by the GC).</summary>
    public const int ChunkSize = 4096;

    private const int PooledChunks = 16;
    private readonly Stack<QueuedReading[]> _free = new();
    private QueuedReading[] _current = new QueuedReading[ChunkSize];
    private int _used;

    /// <summary>Chunks made so far (the pool's misses): for tests.</summary>
    public int ChunksMade { get; private set; } = 1;

    /// <summary>
    /// Copies readings from <paramref name="from"/> on into the current chunk, as many as it has room for, and
    /// answers where they are: the chunk, the first slot, how many. A full chunk is replaced by a fresh one.
    /// </summary>
    public (QueuedReading[] Chunk, int Start, int Count) Append(IReadOnlyList<Reading> readings, int from)
    {
        if (_used == ChunkSize)
        {
            _current = _free.TryPop(out var recycled) ? recycled : New();
            _used = 0;
        }

        var chunk = _current;
        var start = _used;
        var count = Math.Min(ChunkSize - start, readings.Count - from);
        for (var i = 0; i < count; i++)
        {
            chunk[start + i] = QueuedReading.Of(readings[from + i]);
        }

        _used += count;
        return (chunk, start, count);
    }

    /// <summary>The writer took the segment of <paramref name="chunk"/> that ends at <paramref name="end"/>: the last one frees the chunk.</summary>
    public void Taken(QueuedReading[] chunk, int end)
    {
        if (end == ChunkSize && _free.Count < PooledChunks)
        {
            Array.Clear(chunk); // the strings it holds are not kept alive by the pool
            _free.Push(chunk);
        }
    }

    private QueuedReading[] New()
    {
        ChunksMade++;
        return new QueuedReading[ChunkSize];
    }
}
