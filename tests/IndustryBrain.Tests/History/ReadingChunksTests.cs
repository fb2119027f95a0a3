using IndustryBrain.Contracts;
using IndustryBrain.Silo.Archive;

namespace IndustryBrain.Tests.History;

/// <summary>The archive queue's chunks of readings: segments across a chunk's end, and chunks used again once taken.</summary>
public sealed class ReadingChunksTests
{
    private static readonly DateTimeOffset T0 = new(2026, 12, 1, 8, 0, 0, TimeSpan.Zero);

    private static List<Reading> Readings(int first, int count) =>
        [.. Enumerable.Range(first, count).Select(seq => new Reading("T1", "grind", 0, seq, seq * 10, 1, T0.AddSeconds(seq)))];

    [Fact]
    public void Readings_that_do_not_fit_go_on_in_a_new_chunk_and_every_one_comes_back_as_it_was()
    {
        var chunks = new ReadingChunks();
        var taken = new List<Reading>();
        var segments = new List<(QueuedReading[] Chunk, int Start, int Count)>();
        var sent = new List<Reading>();
        foreach (var size in new[] { 3000, 1000, 500, 4096, 1 })
        {
            var readings = Readings(sent.Count, size);
            sent.AddRange(readings);
            for (var from = 0; from < readings.Count;)
            {
                var segment = chunks.Append(readings, from);
                segments.Add(segment);
                from += segment.Count;
            }
        }

        // 3,000 + 1,000 fill 4,000 slots; the next 500 are split 96 + 404; 4,096 more are split 3,692 + 404.
        Assert.Equal([3000, 1000, 96, 404, 3692, 404, 1], segments.Select(s => s.Count));
        Assert.Equal([0, 3000, 4000, 0, 404, 0, 404], segments.Select(s => s.Start));
        foreach (var (chunk, start, count) in segments)
        {
            taken.AddRange(chunk.Skip(start).Take(count).Select(q => q.ToReading()));
        }

        Assert.Equal(sent, taken);
        Assert.Equal(3, chunks.ChunksMade);
    }

    [Fact]
    public void A_chunk_is_used_again_once_its_last_segment_is_taken_and_not_before()
    {
        var chunks = new ReadingChunks();
        var first = chunks.Append(Readings(0, ReadingChunks.ChunkSize), 0);
        chunks.Taken(first.Chunk, first.Start + first.Count);

        var second = chunks.Append(Readings(0, 10), 0);
        Assert.Same(first.Chunk, second.Chunk);
        Assert.Equal(1, chunks.ChunksMade);
        Assert.Equal(0, second.Start);

        // A segment that does not end the chunk frees nothing: the rest of it is still being filled.
        chunks.Taken(second.Chunk, second.Start + second.Count);
        var third = chunks.Append(Readings(10, ReadingChunks.ChunkSize), 0);
        Assert.Same(second.Chunk, third.Chunk);
        var fourth = chunks.Append(Readings(10, ReadingChunks.ChunkSize), third.Count);
        Assert.NotSame(third.Chunk, fourth.Chunk);
        Assert.Equal(2, chunks.ChunksMade);
    }
}
