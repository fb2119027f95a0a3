using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using IndustryBrain.Tests.Infrastructure;
using static IndustryBrain.Tests.History.HistoryTestKit;

namespace IndustryBrain.Tests.History;

/// <summary>
/// Terminal availability per district day over HTTP and the command line: statuses published over MQTT to a real
/// brain, archived into a real PostgreSQL or the embedded SQLite file, read back per terminal and day.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class HistoryAvailabilityTests(PostgresFixture postgres)
{
    private static readonly TimeZoneInfo District = TimeZoneInfo.FindSystemTimeZoneById("Asia/Shanghai");

    private async Task<string?> Database(string backend) => backend == HistoryArchiveTests.Postgres ? await postgres.NewDatabase() : null;

    private static string NewId(string hint) => $"{hint}-{Guid.NewGuid():N}"[..(hint.Length + 9)];

    private static DateOnly Today => DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(DateTimeOffset.UtcNow, District).DateTime);

    /// <summary>A district-local hour of today plus <paramref name="days"/> (negative: past days).</summary>
    private static DateTimeOffset Local(int days, int hour) => new(Today.AddDays(days).ToDateTime(new TimeOnly(hour, 0)), TimeSpan.FromHours(8));

    private static string Status(string state, DateTimeOffset ts, string? fault = null) =>
        JsonSerializer.Serialize(new { state, fault, ts = ts.UtcDateTime.ToString("O") });

    /// <summary>
    /// T1 of <paramref name="enterprise"/>: running from 22:00 three days ago; two days ago idle at 02:00, in fault at
    /// 06:00, offline at 12:00, running again at 18:00 (and since). T2: idle from 08:00 two days ago.
    /// </summary>
    private static async Task PublishDays(Brain brain, string enterprise)
    {
        await using var t1 = await MqttTerminal.Connect(brain.MqttPort, enterprise, "T1");
        await using var t2 = await MqttTerminal.Connect(brain.MqttPort, enterprise, "T2");
        await t1.Status(Status("running", Local(-3, 22)));
        await t1.Status(Status("idle", Local(-2, 2)));
        await t1.Status(Status("fault", Local(-2, 6), "E-17"));
        await t1.Status(Status("offline", Local(-2, 12)));
        await t1.Status(Status("running", Local(-2, 18)));
        await t2.Status(Status("idle", Local(-2, 8)));
    }

    private static string Path(string enterprise, int fromDays, int toDays, string extra = "") =>
        $"/api/history/enterprises/{enterprise}/availability?from={Today.AddDays(fromDays):yyyy-MM-dd}&to={Today.AddDays(toDays):yyyy-MM-dd}{extra}";

    [Theory]
    [InlineData(HistoryArchiveTests.Postgres)]
    [InlineData(HistoryArchiveTests.Sqlite)]
    public async Task Each_terminals_seconds_per_state_and_availability_per_district_day(string backend)
    {
        await using var brain = await Brain(await Database(backend));
        using var http = brain.Http();
        var enterprise = NewId("av");
        await Register(http, enterprise);
        await PublishDays(brain, enterprise);

        var answer = await Until(http, Path(enterprise, -3, -2),
            a => a.GetProperty("terminals").GetArrayLength() == 2
                && a.GetProperty("terminals")[0].GetProperty("days")[1].GetProperty("running").GetInt64() == 8 * 3600,
            "both terminals' statuses archived");

        Assert.Equal(enterprise, answer.GetProperty("enterprise").GetString());
        Assert.Contains("running / observed", answer.GetProperty("definition").GetString());
        var t1 = answer.GetProperty("terminals")[0];
        Assert.Equal("T1", t1.GetProperty("terminal").GetString());
        var days = t1.GetProperty("days").EnumerateArray().ToArray();
        Assert.Equal([$"{Today.AddDays(-3):yyyy-MM-dd}", $"{Today.AddDays(-2):yyyy-MM-dd}"], days.Select(d => d.GetProperty("date").GetString()));

        // Three days ago: running from 22:00 (2 hours), not known before; the status carried over midnight counts two days ago too.
        Assert.Equal((7200L, 0L, 79200L, 1.0), (days[0].GetProperty("running").GetInt64(), days[0].GetProperty("idle").GetInt64(),
            days[0].GetProperty("unknown").GetInt64(), days[0].GetProperty("availability").GetDouble()));
        Assert.Equal((8 * 3600L, 4 * 3600L, 6 * 3600L, 6 * 3600L, 86400L, 0.3333),
            (days[1].GetProperty("running").GetInt64(), days[1].GetProperty("idle").GetInt64(), days[1].GetProperty("fault").GetInt64(),
                days[1].GetProperty("offline").GetInt64(), days[1].GetProperty("observed").GetInt64(), days[1].GetProperty("availability").GetDouble()));
        Assert.Equal((10 * 3600L, 0.3846), (t1.GetProperty("total").GetProperty("running").GetInt64(), t1.GetProperty("total").GetProperty("availability").GetDouble()));

        var t2 = answer.GetProperty("terminals")[1];
        Assert.Equal(JsonValueKind.Null, t2.GetProperty("days")[0].GetProperty("availability").ValueKind);
        Assert.Equal((16 * 3600L, 0.0), (t2.GetProperty("days")[1].GetProperty("idle").GetInt64(), t2.GetProperty("days")[1].GetProperty("availability").GetDouble()));

        // A range that begins after the last change: the status in force (running since two days ago) fills yesterday.
        var yesterday = await http.GetFromJsonAsync<JsonElement>(Path(enterprise, -1, -1, "&terminal=T1"));
        var only = Assert.Single(yesterday.GetProperty("terminals").EnumerateArray());
        Assert.Equal((86400L, 1.0), (only.GetProperty("days")[0].GetProperty("running").GetInt64(), only.GetProperty("days")[0].GetProperty("availability").GetDouble()));

        // CSV.
        var csv = (await http.GetStringAsync(Path(enterprise, -3, -2, "&format=csv"))).TrimEnd('\n').Split('\n');
        Assert.Equal("enterprise,terminal,date,running_s,idle_s,fault_s,offline_s,unknown_s,observed_s,availability", csv[0]);
        Assert.Equal($"{enterprise},T1,{Today.AddDays(-2):yyyy-MM-dd},28800,14400,21600,21600,0,86400,0.3333", csv[2]);
        Assert.Equal($"{enterprise},T2,{Today.AddDays(-3):yyyy-MM-dd},0,0,0,0,86400,0,", csv[3]);
        Assert.Equal(5, csv.Length);
    }

    [Theory]
    [InlineData(HistoryArchiveTests.Postgres)]
    [InlineData(HistoryArchiveTests.Sqlite)]
    public async Task Bad_ranges_unknown_ids_and_other_firms_are_refused_with_a_reason(string backend)
    {
        await using var brain = await Brain(await Database(backend), "--History:RetentionDays=60");
        using var admin = brain.Http();
        var mine = NewId("am");
        var theirs = NewId("at");
        await Register(admin, mine);
        await Register(admin, theirs);
        await using (var t = await MqttTerminal.Connect(brain.MqttPort, mine, "T1"))
        {
            await t.Status(Status("running", Local(-1, 9)));
        }

        await Until(admin, Path(mine, -1, 0), a => a.GetProperty("terminals").GetArrayLength() == 1, "the status archived");
        var path = $"/api/history/enterprises/{mine}/availability";
        Assert.Equal((HttpStatusCode.BadRequest, "range-reversed"), await Problem(admin, $"{path}?from=2026-03-02&to=2026-03-01"));
        Assert.Equal((HttpStatusCode.BadRequest, "range-too-long"), await Problem(admin, $"{path}?from=2025-01-01&to=2025-12-31"));
        Assert.Equal((HttpStatusCode.BadRequest, "invalid-field"), await Problem(admin, $"{path}?from=last-week"));
        Assert.Equal((HttpStatusCode.BadRequest, "invalid-id"), await Problem(admin, $"{path}?terminal=no%20such"));
        Assert.Equal((HttpStatusCode.NotFound, "unknown-terminal"), await Problem(admin, $"{path}?terminal=T404"));
        Assert.Equal((HttpStatusCode.NotFound, "unknown-enterprise"), await Problem(admin, "/api/history/enterprises/nobody-here/availability"));

        // A registered firm whose terminals never reported: every day unknown, no terminal listed.
        var quiet = await admin.GetFromJsonAsync<JsonElement>($"/api/history/enterprises/{theirs}/availability");
        Assert.Equal(0, quiet.GetProperty("terminals").GetArrayLength());

        using var firm = brain.Http(await Key(admin, "enterprise", mine));
        using var official = brain.Http(await Key(admin, "official"));
        Assert.Equal(HttpStatusCode.OK, (await Problem(firm, path)).Status);
        Assert.Equal((HttpStatusCode.Forbidden, "forbidden"), await Problem(firm, $"/api/history/enterprises/{theirs}/availability"));
        Assert.Equal(HttpStatusCode.OK, (await Problem(official, path)).Status);
        Assert.Equal(HttpStatusCode.OK, (await Problem(official, $"/api/history/enterprises/{theirs}/availability")).Status);
    }

    [Fact]
    public async Task The_command_line_prints_availability_as_a_table_and_as_csv()
    {
        await using var brain = await Brain(null);
        using var http = brain.Http();
        var enterprise = NewId("ac");
        await Register(http, enterprise);
        await PublishDays(brain, enterprise);
        await Until(http, Path(enterprise, -3, -2), a => a.GetProperty("terminals").GetArrayLength() == 2
            && a.GetProperty("terminals")[0].GetProperty("days")[1].GetProperty("running").GetInt64() == 8 * 3600, "the statuses archived");

        async Task<(int Exit, string Output, string Error)> Cli(params string[] args)
        {
            using var output = new StringWriter();
            using var error = new StringWriter();
            var exit = await IndustryBrain.Client.Commands.BrainCommand.Run([.. args, "--api", brain.BaseAddress.ToString(), "--key", BrainOptions.TestAdminKey], output, error);
            return (exit, output.ToString(), error.ToString());
        }

        var from = Today.AddDays(-3).ToString("yyyy-MM-dd");
        var to = Today.AddDays(-2).ToString("yyyy-MM-dd");
        var table = await Cli("history", "availability", enterprise, "--from", from, "--to", to, "--terminal", "T1");
        Assert.Equal((0, ""), (table.Exit, table.Error));
        var rows = table.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(["terminal", "date", "running", "idle", "fault", "offline", "unknown", "availability"], rows[0].Split(' ', StringSplitOptions.RemoveEmptyEntries));
        Assert.Equal(["T1", to, "08:00:00", "04:00:00", "06:00:00", "06:00:00", "00:00:00", "33.3%"], rows[2].Split(' ', StringSplitOptions.RemoveEmptyEntries));
        Assert.Equal(["T1", "total", "10:00:00"], rows[3].Split(' ', StringSplitOptions.RemoveEmptyEntries)[..3]);
        Assert.Contains("running / observed", rows[^1]);

        var csv = await Cli("history", "availability", enterprise, "--from", from, "--to", to, "--csv");
        Assert.Equal(0, csv.Exit);
        Assert.Equal(5, csv.Output.TrimEnd('\n').Split('\n').Length);

        var reversed = await Cli("history", "availability", enterprise, "--from", to, "--to", from);
        Assert.Equal(1, reversed.Exit);
        Assert.StartsWith("range-reversed: ", reversed.Error);
    }
}
