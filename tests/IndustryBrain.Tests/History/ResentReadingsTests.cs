using System.Net.Http.Json;
using System.Text.Json;
using IndustryBrain.Contracts;
using IndustryBrain.Silo.Archive;
using IndustryBrain.Tests.Infrastructure;
using Microsoft.Data.Sqlite;
using static IndustryBrain.Tests.History.HistoryTestKit;

namespace IndustryBrain.Tests.History;

/// <summary>
/// A reading is its (enterprise, order, step, terminal, run, seq): resent, it is archived once, whatever time it
/// carries. A terminal that sends no ts gets the brain's receive time, which differs at every resend.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class ResentReadingsTests(PostgresFixture postgres)
{
    private static string NewId(string hint) => $"{hint}-{Guid.NewGuid():N}"[..(hint.Length + 9)];

    private static string Untimed(string order, string step, long seq, long good) =>
        $$"""{"order":"{{order}}","step":"{{step}}","run":0,"seq":{{seq}},"good":{{good}},"scrap":0}""";

    /// <summary>A moment some hours back, to the millisecond (PostgreSQL keeps microseconds, the tests compare times).</summary>
    private static DateTimeOffset HoursAgo(int hours)
    {
        var at = DateTimeOffset.UtcNow.AddHours(-hours);
        return new DateTimeOffset(at.UtcTicks - (at.UtcTicks % TimeSpan.TicksPerMillisecond), TimeSpan.Zero);
    }

    /// <summary>A batch of order o1 of enterprise e1: one reading per seq, made by <paramref name="reading"/>.</summary>
    private static ArchiveBatch Batch(IEnumerable<int> seqs, Func<int, Reading> reading)
    {
        var batch = new ArchiveBatch();
        batch.Readings.AddRange(seqs.Select(seq => ("e1", "o1", reading(seq))));
        return batch;
    }

    private static long SqliteCount(Brain brain)
    {
        using var connection = new SqliteConnection($"Data Source={Path.Combine(brain.StoragePath, HistoryStores.SqliteFileName)};Pooling=false");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT count(*) FROM ib_readings";
        return (long)command.ExecuteScalar()!;
    }

    [Theory]
    [InlineData(HistoryArchiveTests.Postgres)]
    [InlineData(HistoryArchiveTests.Sqlite)]
    public async Task A_reading_resent_without_ts_over_mqtt_is_archived_once_also_after_a_restart(string backend)
    {
        var connection = backend == HistoryArchiveTests.Postgres ? await postgres.NewDatabase() : null;
        await using var brain = await Brain(connection);
        using var http = brain.Http();
        var enterprise = NewId("rs");
        await Register(http, enterprise);
        await Plan(http, enterprise, "R-1", 1000, 2m, "pack");
        var handedOver = 0;
        await using (var t1 = await MqttTerminal.Connect(brain.MqttPort, enterprise, "T1"))
        {
            await t1.Count(Untimed("R-1", "pack", 1, 10));
            await t1.Count(Untimed("R-1", "pack", 2, 20));
            await Archived(http, handedOver += 2);

            // Resent in later messages (each stamped with a later receive time), one in the same message twice, one with a ts of its own.
            await t1.Count(Untimed("R-1", "pack", 1, 10));
            await t1.Count($"[{Untimed("R-1", "pack", 2, 20)},{Untimed("R-1", "pack", 2, 20)}]");
            await t1.Count(Reading("R-1", "pack", 2, 20, 0, DateTimeOffset.UtcNow.AddMinutes(-3)));
            await t1.Count(Untimed("R-1", "pack", 3, 30));
            await Archived(http, handedOver += 5);
        }

        // A restart: the writer has forgotten which seqs it wrote (the resync after a new epoch resends the latest).
        await brain.Stop();
        await brain.Restart();
        await using (var t1 = await MqttTerminal.Connect(brain.MqttPort, enterprise, "T1"))
        {
            await t1.Count(Untimed("R-1", "pack", 3, 30));
            await t1.Count(Untimed("R-1", "pack", 4, 40));
            await Archived(http, 2);
        }

        var timeline = await http.GetFromJsonAsync<JsonElement>($"/api/history/enterprises/{enterprise}/orders/R-1/timeline");
        var points = timeline.GetProperty("steps")[0].GetProperty("terminals")[0].GetProperty("points").EnumerateArray().ToArray();
        Assert.Equal([1L, 2L, 3L, 4L], points.Select(p => p.GetProperty("seq").GetInt64()));
        Assert.Equal([10L, 20L, 30L, 40L], points.Select(p => p.GetProperty("good").GetInt64()));
        var stored = connection is null ? SqliteCount(brain) : await PostgresServer.Scalar<long>(connection, "SELECT count(*) FROM ib_readings");
        Assert.Equal(4, stored);
        var order = await http.GetFromJsonAsync<JsonElement>($"/api/enterprises/{enterprise}/orders/R-1");
        Assert.Equal(40L, order.GetProperty("steps")[0].GetProperty("good").GetInt64());
    }

    [Fact]
    public async Task The_postgresql_writer_keeps_each_counter_and_seq_once_whatever_the_time_cold_or_warm()
    {
        var connection = await postgres.NewDatabase();
        var t0 = HoursAgo(2);
        ArchiveBatch Readings(int from, int to, TimeSpan later) =>
            Batch(Enumerable.Range(from, to - from + 1), seq => new Reading($"T{seq % 3}", "pack", 0, seq, seq, 0, t0.AddSeconds(seq) + later));

        await using (var store = new PostgresHistoryStore(connection))
        {
            await store.Migrate(default);
            await store.Write(Readings(1, 600, TimeSpan.Zero), default);
            await store.Write(Readings(1, 600, TimeSpan.FromSeconds(1)), default);          // warm: the writer knows the highest seqs
            var mixed = Readings(550, 700, TimeSpan.FromMinutes(1));                       // resent and new in one batch,
            mixed.Readings.AddRange(Readings(650, 700, TimeSpan.FromMinutes(2)).Readings); // and the new ones twice
            await store.Write(mixed, default);
        }

        await using (var cold = new PostgresHistoryStore(connection))
        {
            await cold.Migrate(default);
            await cold.Write(Readings(1, 800, TimeSpan.FromHours(1)), default);            // a restart: it looks the highest seqs up
            var timeline = await cold.Timeline("e1", "o1", t0.AddDays(-1), t0.AddDays(1), 10_000, default);
            Assert.Equal(Enumerable.Range(1, 800).Select(i => (long)i), timeline.Select(r => r.Seq).Order());
            Assert.Equal(t0.AddSeconds(650).AddMinutes(1), timeline.Single(r => r.Seq == 650).Ts);
        }

        Assert.Equal(800, await PostgresServer.Scalar<long>(connection, "SELECT count(*) FROM ib_readings"));
    }

    [Fact]
    public async Task The_postgresql_writer_keeps_readings_that_reach_it_out_of_order_each_once()
    {
        // Two batches of one order are applied concurrently: a counter's readings may reach the archive out of order,
        // within a batch and across batches, and one of them twice.
        var connection = await postgres.NewDatabase();
        var t0 = HoursAgo(2);
        ArchiveBatch Readings(IEnumerable<int> seqs) => Batch(seqs, seq => new Reading("T1", "pack", 0, seq, seq, seq % 7, t0.AddSeconds(seq)));

        await using var store = new PostgresHistoryStore(connection);
        await store.Migrate(default);
        var shuffled = Enumerable.Range(1, 400).OrderBy(seq => (seq * 7919) % 401).ToArray();
        await store.Write(Readings([.. shuffled[..200], .. shuffled[150..200]]), default);   // out of order, 50 of them twice
        await store.Write(Readings(shuffled[200..]), default);                                // lower seqs than the archive's highest

        var timeline = await store.Timeline("e1", "o1", t0.AddDays(-1), t0.AddDays(1), 10_000, default);
        Assert.Equal(Enumerable.Range(1, 400).Select(i => (long)i), timeline.Select(r => r.Seq).Order());
        Assert.All(timeline, r => Assert.Equal(r.Seq % 7, r.Scrap));
        Assert.Equal(400, await PostgresServer.Scalar<long>(connection, "SELECT count(*) FROM ib_readings"));
    }

    [Fact]
    public async Task Two_silos_archiving_the_same_readings_keep_them_once()
    {
        // Each writer copies readings above the highest seq it knows; the other silo's rows make its COPY meet a key
        // that exists, and the batch goes in again, skipping what is there.
        var connection = await postgres.NewDatabase();
        var t0 = HoursAgo(1);
        ArchiveBatch Readings(int from, int to) =>
            Batch(Enumerable.Range(from, to - from + 1), seq => new Reading("T1", "pack", 0, seq, seq, 0, t0.AddSeconds(seq)));

        await using var first = new PostgresHistoryStore(connection);
        await using var second = new PostgresHistoryStore(connection);
        await first.Migrate(default);
        await second.Migrate(default);
        await second.Write(Readings(1, 10), default);     // the second silo knows seq 10 as its highest
        await first.Write(Readings(11, 100), default);
        await second.Write(Readings(11, 120), default);   // 11 to 100 are there already

        Assert.Equal(120, await PostgresServer.Scalar<long>(connection, "SELECT count(*) FROM ib_readings"));
        Assert.Equal(120, await PostgresServer.Scalar<long>(connection, "SELECT count(DISTINCT seq) FROM ib_readings"));
    }

    [Fact]
    public async Task The_sqlite_archive_keeps_each_counter_and_seq_once_and_its_retention_deletes_by_time()
    {
        var folder = Directory.CreateTempSubdirectory("ib-history-sqlite-").FullName;
        try
        {
            var today = DateOnly.FromDateTime(DateTime.UtcNow);
            await using var store = new SqliteHistoryStore(Path.Combine(folder, HistoryStores.SqliteFileName));
            await store.Migrate(default);
            await store.Migrate(default);
            var batch = new ArchiveBatch();
            foreach (var daysAgo in new[] { 10, 9, 5, 0 })
            {
                var at = new DateTimeOffset(today.AddDays(-daysAgo).ToDateTime(new TimeOnly(12, 0)), TimeSpan.Zero);
                batch.Readings.Add(("e1", "o1", new Reading("T1", "pack", 0, 100 - daysAgo, 100 - daysAgo, 0, at)));
                batch.Readings.Add(("e1", "o1", new Reading("T1", "pack", 0, 100 - daysAgo, 100 - daysAgo, 0, at.AddMinutes(1)))); // resent, stamped later
                batch.Statuses.Add(("e1", new TerminalStatus("T1", TerminalStates.Running, 100 - daysAgo, null, at)));
            }

            batch.Days.Add(new ArchivedDay("e1", "knives", today.AddDays(-10), 5, 50m, DateTimeOffset.UtcNow));
            batch.Days.Add(new ArchivedDay("e1", "knives", today, 7, 70m, DateTimeOffset.UtcNow));
            await store.Write(batch, default);
            Assert.Equal(4, (await store.Timeline("e1", "o1", DateTimeOffset.UtcNow.AddDays(-30), DateTimeOffset.UtcNow.AddDays(1), 100, default)).Length);

            var dropped = await store.Retain(today.AddDays(-7), today.AddDays(3), default);

            Assert.Equal(3, dropped); // days -10 to -8 (the oldest reading's day up to the first kept)
            var left = await store.Timeline("e1", "o1", DateTimeOffset.UtcNow.AddDays(-30), DateTimeOffset.UtcNow.AddDays(1), 100, default);
            Assert.Equal([95L, 100L], left.Select(r => r.Seq));
            Assert.Equal([today], (await store.Output(today.AddDays(-30), today, "e1", null, default)).Select(d => d.Date));
            var statuses = await store.StatusChanges("e1", null, DateTimeOffset.UtcNow.AddDays(-30), DateTimeOffset.UtcNow.AddDays(1), default);
            Assert.Equal(2, statuses.Length);
            Assert.Equal(0, await store.Retain(today.AddDays(-7), today.AddDays(3), default));

            using var connection = new SqliteConnection($"Data Source={Path.Combine(folder, HistoryStores.SqliteFileName)};Pooling=false");
            connection.Open();
            using var count = connection.CreateCommand();
            count.CommandText = "SELECT count(*) FROM ib_readings";
            Assert.Equal(2L, (long)count.ExecuteScalar()!);
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            Directory.Delete(folder, recursive: true);
        }
    }
}
