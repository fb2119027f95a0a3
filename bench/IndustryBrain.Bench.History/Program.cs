// The history archive's benchmark: a generator loads N readings of a district (1,700 enterprises, 20
// orders a year each, 10 steps with a terminal each, every order counted over 14 days) into PostgreSQL
// by binary COPY, day by day in time order, with each enterprise's output per day; then it prints the
// bytes per reading stored, the bulk load rate, the silo writer's own rate (PostgresHistoryStore.Write:
// staging COPY + INSERT ... ON CONFLICT, batches of 20,000), and p50/p99 of the three queries the API
// runs: one order's timeline, one firm's daily output over a year, the district's over a year.
//
//   dotnet run -c Release --project bench/IndustryBrain.Bench.History -- [--readings 200000000] [--days 365]
//       [--enterprises 1700] [--orders 20] [--steps 10] [--queries 200] [--connection "Host=...;..."] [--data /path] [--keep]
//
// Without --connection it starts its own PostgreSQL (initdb into --data, default a temporary folder;
// as root it runs as the postgres user) on a free loopback port, with fsync on, and deletes it at the
// end unless --keep.
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using IndustryBrain.Contracts;
using IndustryBrain.Silo.Archive;
using Npgsql;
using NpgsqlTypes;

var readings = long.Parse(Arg("--readings", "200000000"), CultureInfo.InvariantCulture);
var days = int.Parse(Arg("--days", "365"), CultureInfo.InvariantCulture);
var enterprises = int.Parse(Arg("--enterprises", "1700"), CultureInfo.InvariantCulture);
var ordersPer = int.Parse(Arg("--orders", "20"), CultureInfo.InvariantCulture);
var steps = int.Parse(Arg("--steps", "10"), CultureInfo.InvariantCulture);
var queries = int.Parse(Arg("--queries", "200"), CultureInfo.InvariantCulture);
var keep = args.Contains("--keep");
const int OrderDays = 14;
string[] nodes = ["steel", "nonferrous", "mold", "heat-treat", "surface", "packaging", "forging", "stamping", "machining",
    "knives", "scissors", "locks", "tools", "kitchenware", "trading", "ecommerce", "logistics"];

PostgresServer? server = null;
var connection = Arg("--connection", "");
if (connection.Length == 0)
{
    server = new PostgresServer(Arg("--data", Path.Combine(Path.GetTempPath(), "ib-bench-history-" + Guid.NewGuid().ToString("N")[..8])), durable: true,
        settings: "-c shared_buffers=512MB -c max_wal_size=8GB -c checkpoint_timeout=15min -c maintenance_work_mem=256MB");
    await server.InitializeAsync();
    Console.WriteLine($"PostgreSQL on 127.0.0.1:{server.Port}, data in {server.Folder}");
    connection = new NpgsqlConnectionStringBuilder(server.AdminConnectionString) { Pooling = true, Timeout = 30, CommandTimeout = 0 }.ConnectionString;
}

try
{
    var today = DateOnly.FromDateTime(DateTime.UtcNow);
    var first = today.AddDays(-(days - 1));
    var counters = enterprises * ordersPer * steps;
    var perCounter = Math.Max(1, readings / counters);
    Console.WriteLine($"district: {enterprises} enterprises x {ordersPer} orders x {steps} steps = {counters:N0} counters, {perCounter:N0} readings each over {OrderDays} days, {days} days from {first:yyyy-MM-dd}");

    await using var store = new PostgresHistoryStore(connection);
    await store.Migrate(default);
    await using var source = NpgsqlDataSource.Create(connection);

    int CounterId(int e, int o, int s) => (((e * ordersPer) + o) * steps) + s + 1;
    int StartDay(int e, int o) => (int)((((long)e * 7919) + ((long)o * 104729)) % Math.Max(1, days - OrderDays + 1));

    // Counters, in id order (a fresh table numbers them 1..n as they come).
    var load = Stopwatch.StartNew();
    await using (var c = await source.OpenConnectionAsync())
    {
        await using var copy = await c.BeginBinaryImportAsync("COPY ib_counters (enterprise, order_id, step, terminal, run, first_day, last_day) FROM STDIN (FORMAT BINARY)");
        for (var e = 0; e < enterprises; e++)
        {
            for (var o = 0; o < ordersPer; o++)
            {
                for (var s = 0; s < steps; s++)
                {
                    copy.StartRow();
                    copy.Write(Enterprise(e), NpgsqlDbType.Text);
                    copy.Write(Order(o), NpgsqlDbType.Text);
                    copy.Write($"s{s}", NpgsqlDbType.Text);
                    copy.Write($"T{s}", NpgsqlDbType.Text);
                    copy.Write(0, NpgsqlDbType.Integer);
                    copy.Write(first.AddDays(StartDay(e, o)), NpgsqlDbType.Date);
                    copy.Write(first.AddDays(Math.Min(days - 1, StartDay(e, o) + OrderDays - 1)), NpgsqlDbType.Date);
                }
            }
        }

        await copy.CompleteAsync();
    }


    // Orders by the day they start.
    var starting = new List<(int E, int O)>[days];
    for (var d = 0; d < days; d++)
    {
        starting[d] = [];
    }

    for (var e = 0; e < enterprises; e++)
    {
        for (var o = 0; o < ordersPer; o++)
        {
            starting[StartDay(e, o)].Add((e, o));
        }
    }

    // One day more than the load spans: a step's readings are offset by up to `steps` seconds, so with few
    // readings a counter's last one of today can fall just past midnight.
    await store.EnsurePartitions(Enumerable.Range(0, days + 1).Select(d => first.AddDays(d)), default);
    long loaded = 0;
    var spanTicks = TimeSpan.FromDays(OrderDays).Ticks;
    for (var d = 0; d < days; d++)
    {
        var dayStart = new DateTime(first.AddDays(d), TimeOnly.MinValue, DateTimeKind.Utc);
        await using var c = await source.OpenConnectionAsync();
        await using var copy = await c.BeginBinaryImportAsync("COPY ib_readings (ts, seq, counter_id, good, scrap) FROM STDIN (FORMAT BINARY)");
        for (var back = 0; back < OrderDays && back <= d; back++)
        {
            foreach (var (e, o) in starting[d - back])
            {
                var orderStart = new DateTime(first.AddDays(d - back), TimeOnly.MinValue, DateTimeKind.Utc);
                // Readings k of this day: those whose time falls in [back, back + 1) days of the order's span.
                var k0 = (long)Math.Ceiling(back * (double)perCounter / OrderDays);
                var k1 = (long)Math.Ceiling((back + 1) * (double)perCounter / OrderDays);
                for (var s = 0; s < steps; s++)
                {
                    var id = CounterId(e, o, s);
                    for (var k = k0; k < k1 && k < perCounter; k++)
                    {
                        copy.StartRow();
                        copy.Write(orderStart.AddTicks((k * spanTicks / perCounter) + (s * TimeSpan.TicksPerSecond)), NpgsqlDbType.TimestampTz);
                        copy.Write(k + 1, NpgsqlDbType.Bigint);
                        copy.Write(id, NpgsqlDbType.Integer);
                        copy.Write((int)(k * 3), NpgsqlDbType.Integer);
                        copy.Write((int)(k / 50), NpgsqlDbType.Integer);
                        loaded++;
                    }
                }
            }
        }

        await copy.CompleteAsync();
        if (d % 30 == 29 || d == days - 1)
        {
            Console.WriteLine($"  day {d + 1}/{days}: {loaded:N0} readings, {loaded / load.Elapsed.TotalSeconds:N0}/s");
        }
    }

    load.Stop();

    // Each enterprise's output per day (what the enterprise grains hand the archive).
    await using (var c = await source.OpenConnectionAsync())
    {
        await using var copy = await c.BeginBinaryImportAsync("COPY ib_output_daily (enterprise, day, chain_node, units, value, as_of) FROM STDIN (FORMAT BINARY)");
        for (var e = 0; e < enterprises; e++)
        {
            for (var d = 0; d < days; d++)
            {
                copy.StartRow();
                copy.Write(Enterprise(e), NpgsqlDbType.Text);
                copy.Write(first.AddDays(d), NpgsqlDbType.Date);
                copy.Write(nodes[e % nodes.Length], NpgsqlDbType.Text);
                copy.Write((long)(500 + ((e * 31 + d * 17) % 1000)), NpgsqlDbType.Bigint);
                copy.Write((decimal)(500 + ((e * 31 + d * 17) % 1000)) * 38.5m, NpgsqlDbType.Numeric);
                copy.Write(DateTime.UtcNow, NpgsqlDbType.TimestampTz);
            }
        }

        await copy.CompleteAsync();
    }

    await using (var c = await source.OpenConnectionAsync())
    {
        // The chain nodes' sums per day, as the writer keeps them.
        await using var sums = new NpgsqlCommand("""
            INSERT INTO ib_output_node_daily (day, chain_node, units, value)
            SELECT day, coalesce(chain_node, ''), sum(units), sum(value) FROM ib_output_daily GROUP BY 1, 2
            """, c) { CommandTimeout = 0 };
        await sums.ExecuteNonQueryAsync();
        await using var analyze = new NpgsqlCommand("VACUUM ANALYZE", c) { CommandTimeout = 0 };
        await analyze.ExecuteNonQueryAsync();
    }

    var readingBytes = await Scalar<long>(source, "SELECT coalesce(sum(pg_total_relation_size(inhrelid)), 0) FROM pg_inherits WHERE inhparent = 'ib_readings'::regclass");
    var tableBytes = await Scalar<long>(source, "SELECT coalesce(sum(pg_relation_size(inhrelid)), 0) FROM pg_inherits WHERE inhparent = 'ib_readings'::regclass");
    var counterBytes = await Scalar<long>(source, "SELECT pg_total_relation_size('ib_counters')");
    var databaseBytes = await Scalar<long>(source, "SELECT pg_database_size(current_database())");
    Console.WriteLine();
    Console.WriteLine($"loaded {loaded:N0} readings in {load.Elapsed.TotalSeconds:N0} s: {loaded / load.Elapsed.TotalSeconds:N0} readings/s (binary COPY, primary key kept)");
    Console.WriteLine($"stored: {readingBytes / (double)loaded:F1} bytes/reading with its index ({tableBytes / (double)loaded:F1} table only); " +
        $"readings {readingBytes / 1e9:F2} GB, counters {counterBytes / 1e6:F1} MB, database {databaseBytes / 1e9:F2} GB");

    // The silo's writer path: staging COPY + INSERT ... ON CONFLICT DO NOTHING, 20,000 a batch, over 2,000 counters
    // (100 enterprises x 20 orders) that the first batch adds and later batches find in the writer's cache.
    var writerReadings = (int)Math.Min(2_000_000, Math.Max(200_000, readings / 100));
    var batch = new ArchiveBatch();
    var writerCpu = Process.GetCurrentProcess().TotalProcessorTime;
    var written = Stopwatch.StartNew();
    var now = DateTimeOffset.UtcNow;
    TimeSpan? firstBatch = null;
    for (var i = 0; i < writerReadings; i++)
    {
        var counter = i % 2_000;
        batch.Readings.Add(($"w{counter % 100:D3}", $"o{counter / 100}", new Reading("T1", "pack", 0, (i / 2_000) + 1, i / 2_000, 0, now.AddMilliseconds(i - writerReadings))));
        if (batch.Readings.Count == 20_000)
        {
            await store.Write(batch, default);
            batch.Clear();
            firstBatch ??= written.Elapsed;
        }
    }

    if (batch.Count > 0)
    {
        await store.Write(batch, default);
    }

    written.Stop();
    writerCpu = Process.GetCurrentProcess().TotalProcessorTime - writerCpu;
    var steady = (writerReadings - 20_000) / (written.Elapsed - firstBatch!.Value).TotalSeconds;
    Console.WriteLine($"archive writer (PostgresHistoryStore.Write, 20,000 a batch): {writerReadings:N0} readings in {written.Elapsed.TotalSeconds:F1} s: " +
        $"{writerReadings / written.Elapsed.TotalSeconds:N0} readings/s; {steady:N0}/s after the first batch (which added the 2,000 counters in {firstBatch.Value.TotalMilliseconds:N0} ms); " +
        $"the writer's own CPU (this process, not PostgreSQL's): {writerCpu.TotalMicroseconds / writerReadings:F2} µs/reading");

    // Queries, as the API runs them.
    var random = new Random(42);
    var from = DateTimeOffset.UtcNow.AddDays(-400);
    var to = DateTimeOffset.UtcNow.AddDays(1);
    var points = 0L;
    var timeline = await Time(queries, async () =>
    {
        var rows = await store.Timeline(Enterprise(random.Next(enterprises)), Order(random.Next(ordersPer)), from, to, 10_000, default);
        points += rows.Length;
    });
    var firm = await Time(queries, () => store.Output(today.AddDays(-364), today, Enterprise(random.Next(enterprises)), null, default));
    var node = await Time(queries, () => store.Output(today.AddDays(-364), today, null, nodes[random.Next(nodes.Length)], default));
    var district = await Time(queries, () => store.Output(today.AddDays(-364), today, null, null, default));
    Console.WriteLine();
    Console.WriteLine($"| query ({queries} each) | p50 | p99 |");
    Console.WriteLine("|---|---:|---:|");
    Console.WriteLine($"| one order's timeline ({points / queries:N0} readings, whole retention) | {timeline.P50:F1} ms | {timeline.P99:F1} ms |");
    Console.WriteLine($"| one firm's daily output over a year | {firm.P50:F1} ms | {firm.P99:F1} ms |");
    Console.WriteLine($"| one chain node's daily output over a year | {node.P50:F1} ms | {node.P99:F1} ms |");
    Console.WriteLine($"| the district's daily output over a year | {district.P50:F1} ms | {district.P99:F1} ms |");
    Console.WriteLine($"load average: {File.ReadAllText("/proc/loadavg").Trim()}");
}
finally
{
    if (server is not null)
    {
        await server.Stop("fast");
        if (!keep)
        {
            Directory.Delete(server.Folder, recursive: true);
        }
    }
}

static string Enterprise(int e) => $"e{e:D4}";
static string Order(int o) => $"o{o:D3}";

static async Task<(double P50, double P99)> Time(int count, Func<Task> query)
{
    await query(); // warm up
    var times = new double[count];
    for (var i = 0; i < count; i++)
    {
        var started = Stopwatch.GetTimestamp();
        await query();
        times[i] = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
    }

    Array.Sort(times);
    return (times[count / 2], times[Math.Min(count - 1, (int)Math.Ceiling(count * 0.99) - 1)]);
}

static async Task<T> Scalar<T>(NpgsqlDataSource source, string sql)
{
    await using var command = source.CreateCommand(sql);
    return (T)Convert.ChangeType((await command.ExecuteScalarAsync())!, typeof(T), CultureInfo.InvariantCulture);
}

string Arg(string name, string fallback)
{
    var i = Array.IndexOf(args, name);
    return i >= 0 && i + 1 < args.Length ? args[i + 1] : fallback;
}
