using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using IndustryBrain.Contracts;
using IndustryBrain.Silo.Archive;
using IndustryBrain.Tests.Infrastructure;
using static IndustryBrain.Tests.History.HistoryTestKit;

namespace IndustryBrain.Tests.History;

/// <summary>
/// The history archive end to end: readings published over MQTT to a real brain (in process), archived by
/// its background writer into a real PostgreSQL (started by the fixture) or the embedded SQLite file, and
/// read back over HTTP.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class HistoryArchiveTests(PostgresFixture postgres)
{
    public const string Postgres = "postgresql";
    public const string Sqlite = "sqlite";

    private static readonly TimeZoneInfo District = TimeZoneInfo.FindSystemTimeZoneById("Asia/Shanghai");

    private async Task<string?> Database(string backend) => backend == Postgres ? await postgres.NewDatabase() : null;

    private static string NewId(string hint) => $"{hint}-{Guid.NewGuid():N}"[..(hint.Length + 9)];

    private static DateOnly Today => DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(DateTimeOffset.UtcNow, District).DateTime);

    private static DateTimeOffset Ms(DateTimeOffset t) => new(t.UtcTicks - (t.UtcTicks % TimeSpan.TicksPerMillisecond), TimeSpan.Zero);

    [Theory]
    [InlineData(Postgres)]
    [InlineData(Sqlite)]
    public async Task Readings_over_mqtt_come_back_as_the_orders_timeline_per_step_and_terminal(string backend)
    {
        await using var brain = await Brain(await Database(backend));
        using var http = brain.Http();
        var enterprise = NewId("tl");
        await Register(http, enterprise);
        await Plan(http, enterprise, "QF-1", 1000, 38.5m, "forge", "pack");
        await using var t1 = await MqttTerminal.Connect(brain.MqttPort, enterprise, "T1");
        await using var t2 = await MqttTerminal.Connect(brain.MqttPort, enterprise, "T2");
        var t0 = Ms(DateTimeOffset.UtcNow.AddMinutes(-10));

        await t1.Count(Reading("QF-1", "forge", 1, 100, 1, t0));
        await t1.Count(Reading("QF-1", "forge", 2, 250, 2, t0.AddMinutes(1)));
        await t2.Count(Reading("QF-1", "pack", 1, 40, 0, t0.AddMinutes(2)));
        await t1.Count(Reading("QF-1", "forge", 2, 250, 2, t0.AddMinutes(1)));                     // resent: kept once
        await t1.Count($"[{Reading("QF-1", "forge", 3, 300, 2, t0.AddMinutes(3))},{Reading("QF-1", "forge", 3, 300, 2, t0.AddMinutes(3))}]");
        await t1.Count(Reading("QF-1", "forge", 4, 10, 0, t0.AddMinutes(4)));                      // counter-decreased: refused, not archived
        await Until(http, "/health", h => h.GetProperty("ingest").GetProperty("rejected").GetInt64() >= 1
            && h.GetProperty("ingest").GetProperty("pending").GetInt64() == 0, "the refusal dealt with");
        await Archived(http, 6);

        var timeline = await http.GetFromJsonAsync<JsonElement>($"/api/history/enterprises/{enterprise}/orders/QF-1/timeline");
        Assert.Equal(4, timeline.GetProperty("readings").GetInt32());
        Assert.False(timeline.GetProperty("truncated").GetBoolean());
        var steps = timeline.GetProperty("steps").EnumerateArray().ToArray();
        Assert.Equal(["forge", "pack"], steps.Select(s => s.GetProperty("step").GetString()));
        var forge = Assert.Single(steps[0].GetProperty("terminals").EnumerateArray());
        Assert.Equal("T1", forge.GetProperty("terminal").GetString());
        Assert.Equal([(1L, 100L, 1L), (2L, 250L, 2L), (3L, 300L, 2L)],
            forge.GetProperty("points").EnumerateArray().Select(p => (p.GetProperty("seq").GetInt64(), p.GetProperty("good").GetInt64(), p.GetProperty("scrap").GetInt64())));
        Assert.Equal(t0.AddMinutes(1), forge.GetProperty("points")[1].GetProperty("ts").GetDateTimeOffset());
        var pack = Assert.Single(steps[1].GetProperty("terminals").EnumerateArray());
        Assert.Equal(("T2", 40L), (pack.GetProperty("terminal").GetString(), pack.GetProperty("points")[0].GetProperty("good").GetInt64()));

        // A range and a limit.
        var later = await http.GetFromJsonAsync<JsonElement>(
            $"/api/history/enterprises/{enterprise}/orders/QF-1/timeline?from={Uri.EscapeDataString(t0.AddSeconds(30).ToString("O"))}&limit=2");
        Assert.Equal(2, later.GetProperty("readings").GetInt32());
        Assert.True(later.GetProperty("truncated").GetBoolean());

        // CSV, by Accept and by format=csv.
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/api/history/enterprises/{enterprise}/orders/QF-1/timeline");
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/csv"));
        using var csv = await http.SendAsync(request);
        Assert.Equal("text/csv", csv.Content.Headers.ContentType?.MediaType);
        var lines = (await csv.Content.ReadAsStringAsync()).TrimEnd('\n').Split('\n');
        Assert.Equal("enterprise,order,step,terminal,run,seq,good,scrap,ts", lines[0]);
        Assert.Equal(5, lines.Length);
        Assert.StartsWith($"{enterprise},QF-1,forge,T1,0,1,100,1,", lines[1]);
        Assert.Equal(lines, (await http.GetStringAsync($"/api/history/enterprises/{enterprise}/orders/QF-1/timeline?format=csv")).TrimEnd('\n').Split('\n'));
    }

    [Theory]
    [InlineData(Postgres)]
    [InlineData(Sqlite)]
    public async Task Output_per_day_of_an_enterprise_its_chain_node_and_the_district(string backend)
    {
        await using var brain = await Brain(await Database(backend));
        using var http = brain.Http();
        var knives = NewId("kn");
        var scissors = NewId("sc");
        await Register(http, knives, "knives");
        await Register(http, scissors, "scissors");
        await Plan(http, knives, "K-1", 1000, 10m, "forge", "pack");
        await Plan(http, scissors, "S-1", 1000, 20m, "pack");
        await using var k = await MqttTerminal.Connect(brain.MqttPort, knives, "T1");
        await using var s = await MqttTerminal.Connect(brain.MqttPort, scissors, "T1");
        var now = Ms(DateTimeOffset.UtcNow);
        await k.Count(Reading("K-1", "pack", 1, 40, 0, now));
        await s.Count(Reading("S-1", "pack", 1, 5, 0, now));

        var today = Today.ToString("yyyy-MM-dd");
        var from = Today.AddDays(-2).ToString("yyyy-MM-dd");
        var mine = await Until(http, $"/api/history/output?enterprise={knives}&from={from}&to={today}",
            o => o.GetProperty("total").GetProperty("units").GetInt64() == 40, "40 units of the knife maker archived");
        Assert.Equal(400m, mine.GetProperty("total").GetProperty("value").GetDecimal());
        Assert.Equal("enterprise", mine.GetProperty("scope").GetString());
        var days = mine.GetProperty("days").EnumerateArray().ToArray();
        Assert.Equal([Today.AddDays(-2), Today.AddDays(-1), Today], days.Select(d => DateOnly.Parse(d.GetProperty("date").GetString()!)));
        Assert.Equal([0L, 0L, 40L], days.Select(d => d.GetProperty("units").GetInt64()));

        var district = await Until(http, $"/api/history/output?from={today}&to={today}",
            o => o.GetProperty("total").GetProperty("units").GetInt64() == 45, "the district's 45 units archived");
        Assert.Equal(500m, district.GetProperty("total").GetProperty("value").GetDecimal());
        var node = await http.GetFromJsonAsync<JsonElement>($"/api/history/output?node=scissors&from={today}&to={today}");
        Assert.Equal((5L, 100m), (node.GetProperty("total").GetProperty("units").GetInt64(), node.GetProperty("total").GetProperty("value").GetDecimal()));

        var csv = (await http.GetStringAsync($"/api/history/output?enterprise={knives}&from={from}&to={today}&format=csv")).TrimEnd('\n').Split('\n');
        Assert.Equal(["date,units,value", $"{from},0,0", $"{Today.AddDays(-1):yyyy-MM-dd},0,0", $"{today},40,400"], csv.Select(l => l.Replace("400.0", "400", StringComparison.Ordinal)));
    }

    [Theory]
    [InlineData(Postgres)]
    [InlineData(Sqlite)]
    public async Task Bad_ranges_and_unknown_ids_are_problems_with_a_reason(string backend)
    {
        await using var brain = await Brain(await Database(backend), "--History:RetentionDays=60");
        using var http = brain.Http();
        var enterprise = NewId("bad");
        await Register(http, enterprise);
        await using var t1 = await MqttTerminal.Connect(brain.MqttPort, enterprise, "T1");
        await t1.Count(Reading("O-1", "pack", 1, 1, 0, Ms(DateTimeOffset.UtcNow)));
        await Archived(http, 1);

        var timeline = $"/api/history/enterprises/{enterprise}/orders/O-1/timeline";
        Assert.Equal((HttpStatusCode.BadRequest, "range-reversed"), await Problem(http, $"/api/history/output?from=2026-03-02&to=2026-03-01"));
        Assert.Equal((HttpStatusCode.BadRequest, "range-too-long"), await Problem(http, $"/api/history/output?from=2025-01-01&to=2025-12-31"));
        Assert.Equal((HttpStatusCode.BadRequest, "range-reversed"), await Problem(http, $"{timeline}?from=2026-03-02T00:00:00Z&to=2026-03-01T00:00:00Z"));
        Assert.Equal((HttpStatusCode.BadRequest, "range-too-long"), await Problem(http, $"{timeline}?from=2025-01-01&to=2025-12-31"));
        Assert.Equal((HttpStatusCode.BadRequest, "invalid-field"), await Problem(http, $"/api/history/output?from=yesterday"));
        Assert.Equal((HttpStatusCode.BadRequest, "invalid-field"), await Problem(http, $"/api/history/output?to=0001-01-01"));
        Assert.Equal((HttpStatusCode.BadRequest, "invalid-field"), await Problem(http, $"{timeline}?to=0001-01-01T00:00:00Z"));
        Assert.Equal((HttpStatusCode.BadRequest, "invalid-field"), await Problem(http, $"/api/history/output?enterprise={enterprise}&node=knives"));
        Assert.Equal((HttpStatusCode.BadRequest, "invalid-field"), await Problem(http, $"{timeline}?limit=0"));
        Assert.Equal((HttpStatusCode.BadRequest, "invalid-id"), await Problem(http, $"/api/history/output?enterprise=no%20such"));
        Assert.Equal((HttpStatusCode.NotFound, "unknown-enterprise"), await Problem(http, "/api/history/output?enterprise=nobody-here"));
        Assert.Equal((HttpStatusCode.NotFound, "unknown-node"), await Problem(http, "/api/history/output?node=spaceships"));
        Assert.Equal((HttpStatusCode.NotFound, "unknown-order"), await Problem(http, $"/api/history/enterprises/{enterprise}/orders/O-404/timeline"));
        Assert.Equal((HttpStatusCode.NotFound, "unknown-enterprise"), await Problem(http, "/api/history/enterprises/nobody-here/orders/O-1/timeline"));
        Assert.Equal(HttpStatusCode.OK, (await Problem(http, timeline)).Status);
    }

    [Fact]
    public async Task The_command_line_prints_the_timeline_and_the_output_and_refusals_with_their_reason()
    {
        await using var brain = await Brain(null);
        using var http = brain.Http();
        var enterprise = NewId("cli");
        await Register(http, enterprise);
        await Plan(http, enterprise, "QF-9", 100, 2m, "pack");
        await using (var t1 = await MqttTerminal.Connect(brain.MqttPort, enterprise, "T1"))
        {
            var t0 = Ms(DateTimeOffset.UtcNow.AddMinutes(-1));
            await t1.Count(Reading("QF-9", "pack", 1, 3, 0, t0));
            await t1.Count(Reading("QF-9", "pack", 2, 8, 1, t0.AddSeconds(5)));
        }

        await Archived(http, 2);
        await Until(http, $"/api/history/output?enterprise={enterprise}", o => o.GetProperty("total").GetProperty("units").GetInt64() == 8, "8 units archived");
        async Task<(int Exit, string Output, string Error)> Cli(params string[] args)
        {
            using var output = new StringWriter();
            using var error = new StringWriter();
            var exit = await IndustryBrain.Client.Commands.BrainCommand.Run([.. args, "--api", brain.BaseAddress.ToString(), "--key", BrainOptions.TestAdminKey], output, error);
            return (exit, output.ToString(), error.ToString());
        }

        var timeline = await Cli("history", "timeline", enterprise, "QF-9");
        Assert.Equal((0, ""), (timeline.Exit, timeline.Error));
        var rows = timeline.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(["time", "step", "terminal", "run", "seq", "good", "scrap"], rows[0].Split(' ', StringSplitOptions.RemoveEmptyEntries));
        Assert.Equal(["pack", "T1", "0", "2", "8", "1"], rows[2].Split(' ', StringSplitOptions.RemoveEmptyEntries)[^6..]);
        Assert.Equal("2 readings", rows[^1]);

        var csv = await Cli("history", "output", "--enterprise", enterprise, "--from", Today.ToString("yyyy-MM-dd"), "--to", Today.ToString("yyyy-MM-dd"), "--csv");
        Assert.Equal(0, csv.Exit);
        Assert.Equal(["date,units,value", $"{Today:yyyy-MM-dd},8,16"], csv.Output.TrimEnd('\n').Split('\n').Select(l => l.Replace("16.0", "16", StringComparison.Ordinal)));

        var table = await Cli("history", "output", "--enterprise", enterprise);
        Assert.Equal(0, table.Exit);
        Assert.Contains("total", table.Output);

        var reversed = await Cli("history", "output", "--from", "2026-03-02", "--to", "2026-03-01");
        Assert.Equal(1, reversed.Exit);
        Assert.StartsWith("range-reversed: ", reversed.Error);
    }

    [Fact]
    public async Task A_firm_reads_only_its_own_history_and_officials_read_all()
    {
        await using var brain = await Brain(await postgres.NewDatabase());
        using var admin = brain.Http();
        var mine = NewId("own");
        var theirs = NewId("other");
        await Register(admin, mine);
        await Register(admin, theirs);
        await using (var a = await MqttTerminal.Connect(brain.MqttPort, mine, "T1"))
        await using (var b = await MqttTerminal.Connect(brain.MqttPort, theirs, "T1"))
        {
            await a.Count(Reading("O-1", "pack", 1, 1, 0, Ms(DateTimeOffset.UtcNow)));
            await b.Count(Reading("O-1", "pack", 1, 1, 0, Ms(DateTimeOffset.UtcNow)));
        }

        await Archived(admin, 2);
        using var firm = brain.Http(await Key(admin, "enterprise", mine));
        using var official = brain.Http(await Key(admin, "official"));
        using var anonymous = new HttpClient { BaseAddress = brain.BaseAddress };

        Assert.Equal(HttpStatusCode.OK, (await Problem(firm, $"/api/history/enterprises/{mine}/orders/O-1/timeline")).Status);
        Assert.Equal(HttpStatusCode.OK, (await Problem(firm, $"/api/history/output?enterprise={mine}")).Status);
        Assert.Equal((HttpStatusCode.Forbidden, "forbidden"), await Problem(firm, $"/api/history/enterprises/{theirs}/orders/O-1/timeline"));
        Assert.Equal((HttpStatusCode.Forbidden, "forbidden"), await Problem(firm, $"/api/history/output?enterprise={theirs}"));
        Assert.Equal((HttpStatusCode.Forbidden, "forbidden"), await Problem(firm, "/api/history/output"));
        Assert.Equal((HttpStatusCode.Forbidden, "forbidden"), await Problem(firm, "/api/history/output?node=knives"));
        Assert.Equal((HttpStatusCode.Forbidden, "forbidden"), await Problem(firm, $"/api/history/output?enterprise={mine}&enterprise={theirs}"));
        Assert.Equal(HttpStatusCode.OK, (await Problem(official, $"/api/history/enterprises/{theirs}/orders/O-1/timeline")).Status);
        Assert.Equal(HttpStatusCode.OK, (await Problem(official, "/api/history/output?node=knives")).Status);
        Assert.Equal(HttpStatusCode.OK, (await Problem(official, "/api/history/output")).Status);
        Assert.Equal((HttpStatusCode.Unauthorized, "unauthenticated"), await Problem(anonymous, "/api/history/output"));
    }

    [Theory]
    [InlineData(200_000)] // the default: the outage's readings wait in memory
    [InlineData(100)] // memory for 100 records: the rest wait in the spool on disk
    public async Task The_database_stopped_and_started_under_load_loses_nothing_and_the_ingest_never_waits(int inMemory)
    {
        var connection = await postgres.NewDatabase();
        await using var brain = await Brain(connection, "--History:BatchSize=500", $"--History:QueueCapacity={inMemory}");
        using var http = brain.Http();
        var enterprise = NewId("outage");
        await Register(http, enterprise);
        await Plan(http, enterprise, "O-1", 1_000_000, 1m, "forge", "grind", "pack");
        const int terminals = 6, perPhase = 400, perMessage = 20;
        var clients = new List<MqttTerminal>();
        for (var i = 0; i < terminals; i++)
        {
            clients.Add(await MqttTerminal.Connect(brain.MqttPort, enterprise, $"T{i}"));
        }

        var t0 = Ms(DateTimeOffset.UtcNow.AddMinutes(-30));
        var published = 0;
        async Task Phase(int phase)
        {
            await Task.WhenAll(clients.Select(async (client, i) =>
            {
                var step = new[] { "forge", "grind", "pack" }[i % 3];
                for (var first = (phase * perPhase) + 1; first <= (phase + 1) * perPhase; first += perMessage)
                {
                    var readings = Enumerable.Range(first, perMessage).Select(seq => Reading("O-1", step, seq, seq * 2L, seq / 10, t0.AddMilliseconds(seq)));
                    await client.Count($"[{string.Join(',', readings)}]");
                }
            }));
            published += terminals * perPhase;
        }

        async Task<long> Applied() => (await http.GetFromJsonAsync<JsonElement>("/health")).GetProperty("ingest").GetProperty("applied").GetInt64();

        try
        {
            await Phase(0);
            await Archived(http, published);

            await postgres.Stop("immediate");
            await Phase(1);
            // The live figures keep up while the archive cannot write: every reading applied, the archive down and behind.
            await Until(async () => await Applied() >= published, $"{published} readings applied while the database is down");
            var down = await Until(http, "/health", h => h.GetProperty("history").GetProperty("state").GetString() == "down", "the archive down");
            Assert.Contains("postgresql database is unavailable", down.GetProperty("history").GetProperty("reason").GetString());
            Assert.DoesNotContain("Host=", down.GetRawText(), StringComparison.OrdinalIgnoreCase);
            var (status, reason) = await Problem(http, $"/api/history/enterprises/{enterprise}/orders/O-1/timeline");
            Assert.Equal((HttpStatusCode.ServiceUnavailable, "history-unavailable"), (status, reason));
            var order = await http.GetFromJsonAsync<JsonElement>($"/api/enterprises/{enterprise}/orders/O-1");
            Assert.Equal(2L * 2 * perPhase * (terminals / 3), order.GetProperty("steps")[0].GetProperty("good").GetInt64());
            var behind = await Health(http);
            Assert.True(behind.GetProperty("inMemory").GetInt64() <= inMemory, behind.GetRawText());
            Assert.Equal(inMemory < perPhase * terminals, behind.GetProperty("spooledBytes").GetInt64() > 0);
        }
        finally
        {
            await postgres.Start();
        }

        await Phase(2);
        var caughtUp = await Archived(http, published);
        Assert.Equal("up", caughtUp.GetProperty("history").GetProperty("state").GetString());
        Assert.Equal(0, caughtUp.GetProperty("history").GetProperty("notArchived").GetInt64());
        Assert.Equal(published, await PostgresServer.Scalar<long>(connection, "SELECT count(*) FROM (SELECT DISTINCT counter_id, seq FROM ib_readings) r"));
        Assert.Equal(published, await PostgresServer.Scalar<long>(connection, "SELECT count(*) FROM ib_readings"));
        var timeline = await http.GetFromJsonAsync<JsonElement>($"/api/history/enterprises/{enterprise}/orders/O-1/timeline?limit=100000");
        Assert.Equal(published, timeline.GetProperty("readings").GetInt32());
        Assert.Equal(0, caughtUp.GetProperty("history").GetProperty("spooledBytes").GetInt64());
        Assert.Empty(Directory.GetFiles(Path.Combine(brain.StoragePath, "history-spool"), "*.spool"));
        foreach (var client in clients)
        {
            await client.DisposeAsync();
        }
    }

    [Fact]
    public async Task A_clean_stop_writes_everything_the_ingest_took()
    {
        var connection = await postgres.NewDatabase();
        var brain = await Brain(connection, "--History:BatchSize=7");
        var enterprise = NewId("stop");
        const int readings = 3_000;
        await using (var terminal = await MqttTerminal.Connect(brain.MqttPort, enterprise, "T1"))
        {
            var t0 = Ms(DateTimeOffset.UtcNow.AddMinutes(-5));
            for (var first = 1; first <= readings; first += 100)
            {
                await terminal.Count($"[{string.Join(',', Enumerable.Range(first, 100).Select(seq => Reading("O-1", "pack", seq, seq, 0, t0.AddMilliseconds(seq))))}]");
            }
        }

        using (var http = brain.Http())
        {
            await Until(http, "/health", h => h.GetProperty("ingest").GetProperty("applied").GetInt64() + h.GetProperty("ingest").GetProperty("duplicates").GetInt64() >= readings,
                "every reading applied");
        }

        await brain.DisposeAsync(); // a clean stop, whatever the archive still had queued
        Assert.Equal(readings, await PostgresServer.Scalar<long>(connection, "SELECT count(*) FROM ib_readings"));
    }

    [Fact]
    public async Task A_clean_stop_while_the_database_is_down_spills_and_the_next_start_writes_it()
    {
        var connection = await postgres.NewDatabase();
        string[] history = [$"--History:ConnectionString={connection}", "--History:StopWaitSeconds=1"];
        var brain = await IndustryBrain.Testing.Brain.Start(new() { Settings = history });
        var enterprise = NewId("spill");
        const int readings = 2_000;
        try
        {
            using (var http = brain.Http())
            {
                await Until(http, "/health", h => h.GetProperty("history").GetProperty("state").GetString() == "up", "the archive up");
            }

            await postgres.Stop("immediate");
            await using (var terminal = await MqttTerminal.Connect(brain.MqttPort, enterprise, "T1"))
            {
                var t0 = Ms(DateTimeOffset.UtcNow.AddMinutes(-5));
                for (var first = 1; first <= readings; first += 100)
                {
                    await terminal.Count($"[{string.Join(',', Enumerable.Range(first, 100).Select(seq => Reading("O-1", "pack", seq, seq, 0, t0.AddMilliseconds(seq))))}]");
                }
            }

            using (var http = brain.Http())
            {
                // Applied, or taken as a duplicate: under load two batches of one order may be applied out of order, and
                // the older then counts as a duplicate (the archive keeps it all the same).
                await Until(http, "/health", h => h.GetProperty("ingest").GetProperty("applied").GetInt64() + h.GetProperty("ingest").GetProperty("duplicates").GetInt64() >= readings
                    && h.GetProperty("history").GetProperty("state").GetString() == "down", "every reading applied and the archive down");
            }

            await brain.Stop();
            Assert.NotEmpty(Directory.GetFiles(Path.Combine(brain.StoragePath, "history-spool"), "*.spool")); // what the database did not take
        }
        finally
        {
            await postgres.Start();
        }

        await brain.Restart();
        using (var http = brain.Http())
        {
            await Archived(http, readings);
        }

        Assert.Equal(readings, await PostgresServer.Scalar<long>(connection, "SELECT count(*) FROM ib_readings"));
        Assert.Empty(Directory.GetFiles(Path.Combine(brain.StoragePath, "history-spool"), "*.spool"));
        await brain.DisposeAsync();
    }

    [Fact]
    public async Task What_an_earlier_version_spilled_as_json_lines_is_written_at_the_next_start()
    {
        var connection = await postgres.NewDatabase();
        var brain = await Brain(connection);
        await brain.Stop();

        // history-spill.jsonl as the version before the spool wrote it: one record a line, the last cut short by a crash.
        var t0 = Ms(DateTimeOffset.UtcNow.AddMinutes(-10));
        var lines = Enumerable.Range(1, 50).Select(seq => JsonSerializer.Serialize(new
        {
            kind = 0,
            enterprise = "legacy-firm",
            order = "O-1",
            reading = new { terminal = "T1", step = "pack", run = 0, seq, good = seq * 3, scrap = 0, ts = t0.AddSeconds(seq) },
        }, JsonSerializerOptions.Web)).ToList();
        lines.Add(JsonSerializer.Serialize(new { kind = 1, enterprise = "legacy-firm", status = new { terminal = "T1", state = "running", ts = t0 } }, JsonSerializerOptions.Web));
        lines.Add("""{"kind":0,"enterprise":"legacy-firm","ord""");
        var spill = Path.Combine(brain.StoragePath, "history-spill.jsonl");
        await File.WriteAllLinesAsync(spill, lines);

        await brain.Restart();
        using (var http = brain.Http())
        {
            await Archived(http, 50);
        }

        Assert.False(File.Exists(spill));
        Assert.Equal(50, await PostgresServer.Scalar<long>(connection, "SELECT count(*) FROM ib_readings"));
        Assert.Equal(150, await PostgresServer.Scalar<long>(connection, "SELECT max(good)::bigint FROM ib_readings"));
        Assert.Equal(1, await PostgresServer.Scalar<long>(connection, "SELECT count(*) FROM ib_terminal_status WHERE enterprise = 'legacy-firm'"));
        await brain.DisposeAsync();
    }

    [Fact]
    public async Task Duplicates_are_ignored_by_key_even_from_a_writer_that_never_saw_them()
    {
        var connection = await postgres.NewDatabase();
        var batch = new ArchiveBatch();
        var t0 = Ms(DateTimeOffset.UtcNow.AddHours(-1));
        for (var seq = 1; seq <= 1_000; seq++)
        {
            batch.Readings.Add(("e1", "o1", new Reading($"T{seq % 4}", "pack", 0, seq, seq, 0, t0.AddSeconds(seq))));
        }

        await using (var store = new PostgresHistoryStore(connection))
        {
            await store.Migrate(default);
            await store.Migrate(default); // a second silo, or a restart: nothing to do
            await store.Write(batch, default);
            await store.Write(batch, default);
        }

        await using (var fresh = new PostgresHistoryStore(connection))
        {
            await fresh.Migrate(default);
            await fresh.Write(batch, default);
            Assert.Equal(1_000, (await fresh.Timeline("e1", "o1", t0.AddDays(-1), t0.AddDays(1), 10_000, default)).Length);
        }

        Assert.Equal(1_000, await PostgresServer.Scalar<long>(connection, "SELECT count(*) FROM ib_readings"));
        Assert.Equal(4, await PostgresServer.Scalar<long>(connection, "SELECT count(*) FROM ib_counters"));
        Assert.Equal(PostgresHistoryStore.SchemaVersion, await PostgresServer.Scalar<int>(connection, "SELECT max(version) FROM ib_schema"));
    }

    [Fact]
    public async Task Retention_drops_whole_day_partitions_and_prepares_the_days_ahead()
    {
        var connection = await postgres.NewDatabase();
        var today = DateOnly.FromDateTime(DateTime.UtcNow);
        await using var store = new PostgresHistoryStore(connection);
        await store.Migrate(default);
        var batch = new ArchiveBatch();
        foreach (var daysAgo in new[] { 10, 9, 5, 0 })
        {
            var at = new DateTimeOffset(today.AddDays(-daysAgo).ToDateTime(new TimeOnly(12, 0)), TimeSpan.Zero);
            batch.Readings.Add(("e1", "o1", new Reading("T1", "pack", 0, 100 - daysAgo, 100 - daysAgo, 0, at)));
        }

        batch.Days.Add(new ArchivedDay("e1", "knives", today.AddDays(-10), 5, 50m, DateTimeOffset.UtcNow));
        batch.Days.Add(new ArchivedDay("e1", "knives", today, 7, 70m, DateTimeOffset.UtcNow));
        await store.Write(batch, default);
        Assert.Equal([today.AddDays(-10), today.AddDays(-9), today.AddDays(-5), today], await store.Partitions(default));

        var dropped = await store.Retain(today.AddDays(-7), today.AddDays(3), default);

        Assert.Equal(2, dropped);
        var partitions = await store.Partitions(default);
        Assert.DoesNotContain(today.AddDays(-10), partitions);
        Assert.DoesNotContain(today.AddDays(-9), partitions);
        Assert.Contains(today.AddDays(-5), partitions);
        Assert.Contains(today.AddDays(3), partitions);
        var left = await store.Timeline("e1", "o1", DateTimeOffset.UtcNow.AddDays(-30), DateTimeOffset.UtcNow.AddDays(1), 100, default);
        Assert.Equal([95L, 100L], left.Select(r => r.Seq));
        Assert.Equal([today], (await store.Output(today.AddDays(-30), today, "e1", null, default)).Select(d => d.Date));

        // Only the kept days' readings are left.
        Assert.Equal(2, await PostgresServer.Scalar<long>(connection, "SELECT count(*) FROM ib_readings"));
    }
}
