using System.Net.Http.Json;
using System.Text.Json;
using IndustryBrain.Contracts;
using IndustryBrain.Silo.Archive;
using IndustryBrain.Silo.Cockpit;
using IndustryBrain.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using static IndustryBrain.Tests.History.HistoryTestKit;

namespace IndustryBrain.Tests.History;

/// <summary>
/// The cockpit's 30 days: past days from the history archive (PostgreSQL or the SQLite file), today live from the
/// district grain; the district grain's own days, said so, while the archive is off or down.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class ArchivedTrendTests(PostgresFixture postgres)
{
    private static readonly TimeZoneInfo District = TimeZoneInfo.FindSystemTimeZoneById("Asia/Shanghai");

    private static DateOnly Today => DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(DateTimeOffset.UtcNow, District).DateTime);

    private static string NewId(string hint) => $"{hint}-{Guid.NewGuid():N}"[..(hint.Length + 9)];

    /// <summary>Output the archive holds of days the brain never counted (another silo's, or before a grain's state was lost).</summary>
    private static async Task Archive(IHistoryStore store, params (int DaysAgo, long Units, decimal Value)[] days)
    {
        await store.Migrate(default);
        var batch = new ArchiveBatch();
        foreach (var (daysAgo, units, value) in days)
        {
            batch.Days.Add(new ArchivedDay("archived-firm", "knives", Today.AddDays(-daysAgo), units, value, DateTimeOffset.UtcNow));
        }

        await store.Write(batch, default);
    }

    private static long Units(JsonElement cockpit, int daysAgo) => cockpit.GetProperty("daily")[29 - daysAgo].GetProperty("units").GetInt64();

    private static Task<JsonElement> Cockpit(HttpClient http, Func<JsonElement, bool> shows, string what) => Until(http, "/api/cockpit", shows, what);

    [Theory]
    [InlineData(HistoryArchiveTests.Postgres)]
    [InlineData(HistoryArchiveTests.Sqlite)]
    public async Task Past_days_come_from_the_archive_today_from_the_grain_and_a_late_reading_shows_without_a_poll_storm(string backend)
    {
        var connection = backend == HistoryArchiveTests.Postgres ? await postgres.NewDatabase() : null;
        var storage = Directory.CreateTempSubdirectory("ib-trend-").FullName;
        await using (var store = connection is null ? (IHistoryStore)new SqliteHistoryStore(Path.Combine(storage, HistoryStores.SqliteFileName)) : new PostgresHistoryStore(connection))
        {
            await Archive(store, (3, 777, 7770m), (40, 999, 9990m));
        }

        await using var brain = await IndustryBrain.Testing.Brain.Start(new() { StoragePath = storage, Settings = connection is null ? [] : [$"--History:ConnectionString={connection}"] });
        using var http = brain.Http();
        var enterprise = NewId("tr");
        await Register(http, enterprise);
        await Plan(http, enterprise, "T-1", 1000, 10m, "pack");
        using (var recorded = await http.PutAsJsonAsync("/api/cockpit/daily", new { days = new[] { new { date = Today.AddDays(-2), units = 1000, value = 5000 } } }))
        {
            Assert.True(recorded.IsSuccessStatusCode);
        }

        await using var t1 = await MqttTerminal.Connect(brain.MqttPort, enterprise, "T1");
        await t1.Count(Reading("T-1", "pack", 1, 5, 0, DateTimeOffset.UtcNow));

        // The archive's day three days ago (the grain never counted it), the recorded day, today live.
        var cockpit = await Cockpit(http, c => c.GetProperty("dailySource").GetString() == "archive" && Units(c, 0) == 5 && Units(c, 3) == 777,
            "past days from the archive and today from the grain");
        Assert.Equal((1000L, 7770m), (Units(cockpit, 2), cockpit.GetProperty("daily")[26].GetProperty("value").GetDecimal()));
        Assert.False(cockpit.TryGetProperty("dailyNote", out _));
        Assert.Equal(30, cockpit.GetProperty("daily").GetArrayLength());

        // The stream sends the same days.
        using (var stream = await http.GetStreamAsync("/api/cockpit/stream"))
        using (var lines = new StreamReader(stream))
        {
            while (await lines.ReadLineAsync() is { } line)
            {
                if (line.StartsWith("data: {", StringComparison.Ordinal))
                {
                    var sent = JsonDocument.Parse(line["data: ".Length..]).RootElement;
                    if (sent.GetProperty("dailySource").GetString() == "archive")
                    {
                        Assert.Equal(777L, Units(sent, 3));
                        break;
                    }
                }
            }
        }

        // A past day's figure handed to the archive as an enterprise grain does after midnight (its last figures of
        // yesterday): once written, the past days are read again.
        brain.Services.GetRequiredService<IHistoryArchive>().Day(enterprise, "knives", new DailyOutput(Today.AddDays(-1), 40, 400m), DateTimeOffset.UtcNow);
        cockpit = await Cockpit(http, c => Units(c, 1) == 40, "yesterday's last figures");
        Assert.Equal(777L, Units(cockpit, 3));

        // Settled: many reads of the cockpit, no more reads of the archive (past days are cached; today comes live).
        var trend = brain.Services.GetRequiredService<ArchivedTrend>();
        var reads = trend.Reads;
        for (var i = 0; i < 20; i++)
        {
            await http.GetFromJsonAsync<JsonElement>("/api/cockpit");
        }

        Assert.InRange(trend.Reads - reads, 0, 1);

        // The past days' API reads the archive too.
        var output = await Until(http, $"/api/history/output?from={Today.AddDays(-3):yyyy-MM-dd}&to={Today:yyyy-MM-dd}",
            o => o.GetProperty("total").GetProperty("units").GetInt64() == 777 + 40 + 5, "the archive's, yesterday's and today's units");
        Assert.Equal("archive", output.GetProperty("source").GetString());
    }

    [Fact]
    public async Task With_the_archive_off_the_cockpit_and_the_districts_days_come_from_the_grain_and_say_so()
    {
        await using var brain = await Brain(null, "--History:Enabled=false");
        using var http = brain.Http();
        using (var recorded = await http.PutAsJsonAsync("/api/cockpit/daily", new { days = new[] { new { date = Today.AddDays(-2), units = 1000, value = 5000 } } }))
        {
            Assert.True(recorded.IsSuccessStatusCode);
        }

        var cockpit = await Cockpit(http, c => Units(c, 2) == 1000, "the recorded day");
        Assert.Equal("grains", cockpit.GetProperty("dailySource").GetString());
        Assert.Contains("History:Enabled=false", cockpit.GetProperty("dailyNote").GetString());

        var output = await http.GetFromJsonAsync<JsonElement>($"/api/history/output?from={Today.AddDays(-6):yyyy-MM-dd}");
        Assert.Equal(("grains", 1000L), (output.GetProperty("source").GetString(), output.GetProperty("total").GetProperty("units").GetInt64()));
        Assert.Contains("off", output.GetProperty("note").GetString());
        Assert.Equal(7, output.GetProperty("days").GetArrayLength());

        // Beyond the grain's 30 days, or one enterprise's: only the archive knows, and it is off.
        Assert.Equal((System.Net.HttpStatusCode.ServiceUnavailable, "history-off"), await Problem(http, $"/api/history/output?from={Today.AddDays(-60):yyyy-MM-dd}"));
    }

    [Fact]
    public async Task With_the_database_down_the_cockpit_falls_back_to_the_grain_and_comes_back_to_the_archive()
    {
        var connection = await postgres.NewDatabase();
        var storage = Directory.CreateTempSubdirectory("ib-trend-").FullName;
        await using (var store = new PostgresHistoryStore(connection))
        {
            await Archive(store, (3, 777, 7770m));
        }

        await using var brain = await IndustryBrain.Testing.Brain.Start(new() { StoragePath = storage, Settings = [$"--History:ConnectionString={connection}"] });
        using var http = brain.Http();
        var enterprise = NewId("dn");
        await Register(http, enterprise);
        await Plan(http, enterprise, "O-1", 1000, 1m, "pack");
        await using var t1 = await MqttTerminal.Connect(brain.MqttPort, enterprise, "T1");
        await Cockpit(http, c => c.GetProperty("dailySource").GetString() == "archive" && Units(c, 3) == 777, "past days from the archive");

        try
        {
            await postgres.Stop("immediate");
            await t1.Count(Reading("O-1", "pack", 1, 5, 0, DateTimeOffset.UtcNow)); // the writer finds the database gone
            var down = await Cockpit(http, c => c.GetProperty("dailySource").GetString() == "grains" && Units(c, 0) == 5, "the grain's own days");
            Assert.Contains("down", down.GetProperty("dailyNote").GetString());
            Assert.Equal(0L, Units(down, 3)); // the grain never counted the archive's day
            var output = await http.GetFromJsonAsync<JsonElement>("/api/history/output");
            Assert.Equal("grains", output.GetProperty("source").GetString());
        }
        finally
        {
            await postgres.Start();
        }

        await Cockpit(http, c => c.GetProperty("dailySource").GetString() == "archive" && Units(c, 3) == 777 && Units(c, 0) == 5, "the archive's days again");
    }
}
