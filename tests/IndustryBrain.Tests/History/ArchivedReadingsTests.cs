using IndustryBrain.Contracts;
using IndustryBrain.Silo.Ingest;

namespace IndustryBrain.Tests.History;

/// <summary>What of an applied batch goes to the archive: what the order kept, never what it refused.</summary>
public sealed class ArchivedReadingsTests
{
    private static readonly DateTimeOffset At = new(2026, 11, 30, 8, 0, 0, TimeSpan.Zero);

    private static Reading R(string terminal, string step, long seq) => new(terminal, step, 0, seq, seq * 10, 0, At);

    private static Rejection Told(string terminal, string reason, long seq) => new("e1", terminal, reason, seq, "", At);

    [Fact]
    public void A_refused_reading_is_not_archived_and_the_rest_of_the_batch_is()
    {
        Reading[] batch = [R("T1", "forge", 1), R("T1", "forge", 2), R("T2", "forge", 1)];

        var archived = IngestPipeline.Accepted(batch, [Told("T1", RejectReasons.CounterDecreased, 2)]);

        Assert.Equal([batch[0], batch[2]], archived);
    }

    [Fact]
    public void A_count_off_the_routing_is_kept_by_the_order_and_so_archived()
    {
        Reading[] batch = [R("T1", "engrave", 1), R("T1", "engrave", 2)];

        Assert.Equal(batch, IngestPipeline.Accepted(batch, [Told("T1", RejectReasons.UnknownStep, 1)]));
    }
}
