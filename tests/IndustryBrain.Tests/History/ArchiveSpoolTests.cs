using System.Diagnostics;
using IndustryBrain.Contracts;
using IndustryBrain.Silo.Archive;

namespace IndustryBrain.Tests.History;

/// <summary>The archive's spool on disk: what goes in comes back in order, whole, and is deleted once committed.</summary>
public sealed class ArchiveSpoolTests : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "ib-spool-" + Guid.NewGuid().ToString("N"));
    private static readonly DateTimeOffset T0 = new(2026, 12, 1, 8, 30, 15, 123, TimeSpan.Zero);

    public void Dispose()
    {
        if (Directory.Exists(_folder))
        {
            Directory.Delete(_folder, recursive: true);
        }
    }

    private static ArchiveItem Readings(string order, int first, int count) =>
        new(ArchiveKind.Readings, "qiaofeng", order,
            Enumerable.Range(first, count).Select(seq => new Reading($"T{seq % 3}", "rough-grind", seq % 2, seq, seq * 10L, seq / 7, T0.AddSeconds(seq))).ToArray(),
            Stopwatch.GetTimestamp(), count);

    private static readonly ArchiveItem[] EveryKind =
    [
        Readings("QF-2611-0042", 1, 3),
        new(ArchiveKind.Status, "qiaofeng", null, new TerminalStatus("T1", "fault", 17, "冷却液不足", T0), Stopwatch.GetTimestamp(), 1),
        new(ArchiveKind.Status, "qiaofeng", null, new TerminalStatus("T2", "running", null, null, T0.AddMinutes(1)), Stopwatch.GetTimestamp(), 1),
        new(ArchiveKind.Day, "qiaofeng", "knives", new ArchivedDay("qiaofeng", "knives", new DateOnly(2026, 11, 30), 8_642, 123_456.7891m, T0), Stopwatch.GetTimestamp(), 1),
        new(ArchiveKind.Day, "zhangxiaoquan", null, new ArchivedDay("zhangxiaoquan", null, new DateOnly(2026, 11, 29), 0, 0m, T0), Stopwatch.GetTimestamp(), 1),
    ];

    private static void AssertSame(ArchiveItem expected, ArchiveItem actual)
    {
        Assert.Equal((expected.Kind, expected.Enterprise, expected.Key, expected.Count), (actual.Kind, actual.Enterprise, actual.Key, actual.Count));
        if (expected.Payload is IReadOnlyList<Reading> readings)
        {
            Assert.Equal(readings, (IReadOnlyList<Reading>)actual.Payload);
        }
        else
        {
            Assert.Equal(expected.Payload, actual.Payload);
        }

        Assert.True(Stopwatch.GetElapsedTime(actual.QueuedAt) >= TimeSpan.Zero);
    }

    [Fact]
    public void Every_kind_of_record_comes_back_as_it_went_in_and_is_deleted_once_committed()
    {
        using var spool = new ArchiveSpool(_folder, 1 << 20);
        foreach (var item in EveryKind)
        {
            Assert.True(spool.Append(item));
        }

        spool.Flush();
        Assert.Equal(7, spool.Records);
        Assert.True(spool.HasData);
        var read = new List<ArchiveItem>();
        Assert.Equal(7, spool.Read(read, 100));
        Assert.Equal(EveryKind.Length, read.Count);
        for (var i = 0; i < read.Count; i++)
        {
            AssertSame(EveryKind[i], read[i]);
        }

        Assert.True(spool.HasData, "read, not yet committed");
        Assert.Equal(0, spool.Read(read, 100));
        spool.Committed();
        Assert.False(spool.HasData);
        Assert.Equal(0, spool.Records);
        Assert.Empty(Directory.GetFiles(_folder, "*.spool"));
    }

    [Fact]
    public void Reading_back_goes_in_batches_while_records_are_still_appended()
    {
        using var spool = new ArchiveSpool(_folder, 1 << 20);
        spool.Append(Readings("O-1", 1, 100));
        spool.Append(Readings("O-1", 101, 100));
        var read = new List<ArchiveItem>();
        Assert.Equal(100, spool.Read(read, 100));
        spool.Append(Readings("O-1", 201, 100));
        spool.Committed();
        Assert.True(spool.HasData);
        read.Clear();
        Assert.Equal(200, spool.Read(read, 1_000));
        Assert.Equal([101L, 201L], read.Select(i => ((IReadOnlyList<Reading>)i.Payload)[0].Seq));
        spool.Committed();
        Assert.False(spool.HasData);
    }

    [Fact]
    public void A_spool_left_by_a_crash_is_read_up_to_its_last_whole_record_by_the_next_start()
    {
        using (var first = new ArchiveSpool(_folder, 1 << 20))
        {
            first.Append(Readings("O-1", 1, 50));
            first.Append(Readings("O-1", 51, 50));
            first.Flush();
        }

        // A crash while appending the third record: its length and half its bytes reached the disk.
        var segment = Assert.Single(Directory.GetFiles(_folder, "*.spool"));
        var whole = File.ReadAllBytes(segment);
        var third = whole[(whole.Length / 2)..];
        File.WriteAllBytes(segment, [.. whole, .. third[..(third.Length / 2)]]);

        using var next = new ArchiveSpool(_folder, 1 << 20);
        Assert.True(next.HasData, "what the crashed run left is found at the next start");
        var read = new List<ArchiveItem>();
        Assert.Equal(100, next.Read(read, 1_000));
        Assert.Equal(2, read.Count);
        Assert.True(next.UnreadableBytes > 0);
        next.Committed();
        Assert.False(next.HasData);
        Assert.Empty(Directory.GetFiles(_folder, "*.spool"));
    }

    [Fact]
    public void A_full_spool_refuses_records_instead_of_filling_the_disk()
    {
        using var spool = new ArchiveSpool(_folder, 4_096);
        var kept = 0;
        while (spool.Append(Readings("O-1", (kept * 10) + 1, 10)))
        {
            kept++;
            Assert.True(kept < 1_000, "the limit holds");
        }

        Assert.InRange(spool.Bytes, 4_096, 4_096 + 1_024);
        var read = new List<ArchiveItem>();
        Assert.Equal(kept * 10, spool.Read(read, int.MaxValue));
        spool.Committed();
        Assert.True(spool.Append(Readings("O-2", 1, 10)), "room again once written");
    }
}
