using System.Net;
using System.Text.Json.Nodes;
using IndustryBrain.Client.Commands;
using MQTTnet;

namespace IndustryBrain.Tests.Security;

/// <summary>A silo (credentials required) with two firms, for provisioning fleets of terminals.</summary>
public sealed class FleetSilo : IAsyncLifetime
{
    public SecuredSilo Silo { get; private set; } = null!;
    public string QiaofengKey { get; private set; } = "";

    public async Task InitializeAsync()
    {
        Silo = await SecuredSilo.Start();
        await Silo.Register("qiaofeng");
        await Silo.Register("other");
        (_, QiaofengKey) = await Silo.CreateKey("enterprise", "qiaofeng");
    }

    public async Task DisposeAsync() => await Silo.DisposeAsync();
}

/// <summary>Issue 10: credentials for a fleet of terminals at once, over HTTP and from the command line.</summary>
public sealed class TerminalFleetTests(FleetSilo fleet) : IClassFixture<FleetSilo>
{
    private SecuredSilo Silo => fleet.Silo;

    private Task<JsonNode?> Issue(string enterprise, object body, string? key = null) =>
        Silo.Ok(HttpMethod.Post, $"/api/enterprises/{enterprise}/terminals/credentials", key ?? Silo.AdminKey, body);

    private static string Reading(string order, long seq, long good) =>
        $$"""{"order":"{{order}}","step":"rough-grind","seq":{{seq}},"good":{{good}}}""";

    private async Task<MqttClientConnectResultCode> ConnectResult(string username, string password)
    {
        await using var terminal = await MqttTerminal.ConnectAs(Silo.MqttPort, username, password);
        return terminal.Result.ResultCode;
    }

    /// <summary>The fleet bench's memory per terminal: what the silo holds after its GC gave its free memory back.</summary>
    [Fact]
    public async Task An_aggressive_collection_answers_what_the_silo_holds_once_the_gc_gave_its_free_memory_back()
    {
        var plain = (await Silo.Ok(HttpMethod.Post, "/debug/gc", Silo.AdminKey))!;
        Assert.Null(plain["aggressive"]);
        JsonNode? answer = null;
        await Eventually.True(async () =>
        {
            // One full collection in Debug:FullGcIntervalSeconds (2 s here): the first call's turn must pass.
            using var response = await Silo.Send(HttpMethod.Post, "/debug/gc?aggressive=true", Silo.AdminKey);
            if (response.StatusCode != HttpStatusCode.OK)
            {
                return false;
            }

            answer = JsonNode.Parse(await response.Content.ReadAsStringAsync());
            return true;
        }, "an aggressive collection's turn");
        var given = answer!["aggressive"]!;
        var live = answer["liveBytes"]!.GetValue<long>();
        Assert.InRange(given["gcCommittedBytes"]!.GetValue<long>(), live / 2, answer["gcCommittedBytes"]!.GetValue<long>() + (16 << 20));
        Assert.InRange(given["workingSetBytes"]!.GetValue<long>(), given["gcCommittedBytes"]!.GetValue<long>() / 2, long.MaxValue);
    }

    [Fact]
    public async Task A_firm_issues_its_fleet_in_one_request_and_every_terminal_counts_with_its_own_credential()
    {
        var answer = (await Issue("qiaofeng", new { prefix = "GR-", count = 12 }, fleet.QiaofengKey))!;
        Assert.Equal(12, answer["issued"]!.GetValue<int>());
        Assert.Equal(0, answer["rotated"]!.GetValue<int>());
        var issued = answer["terminals"]!.AsArray();
        Assert.Equal(["GR-01", "GR-02", "GR-03", "GR-04", "GR-05", "GR-06", "GR-07", "GR-08", "GR-09", "GR-10", "GR-11", "GR-12"],
            issued.Select(t => t!["terminal"]!.GetValue<string>()));
        Assert.Equal(12, issued.Select(t => t!["password"]!.GetValue<string>()).Distinct().Count());

        for (var i = 0; i < issued.Count; i++)
        {
            await using var terminal = await MqttTerminal.ConnectAs(Silo.MqttPort, issued[i]!["username"]!.GetValue<string>(), issued[i]!["password"]!.GetValue<string>());
            Assert.True(terminal.Connected);
            var result = await terminal.Publish($"ib/qiaofeng/GR-{i + 1:00}/count", Reading("QF-FLEET", 1, 100));
            Assert.Equal(MqttClientPublishReasonCode.Success, result.ReasonCode);
        }

        await Silo.Drained();
        var order = await Silo.Ok(HttpMethod.Get, "/api/enterprises/qiaofeng/orders/QF-FLEET", Silo.AdminKey);
        Assert.Equal(1200, order!["steps"]![0]!["good"]!.GetValue<long>());

        // The brain keeps hashes only: its password file lists the fleet, without any password.
        var passwd = await (await Silo.Send(HttpMethod.Get, "/api/broker/passwd", Silo.AdminKey)).Content.ReadAsStringAsync();
        Assert.Contains("qiaofeng/GR-12:$7$", passwd, StringComparison.Ordinal);
        Assert.DoesNotContain(issued[0]!["password"]!.GetValue<string>(), passwd, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Issuing_a_listed_terminal_again_rotates_it_and_its_old_password_stops_working()
    {
        var first = (await Issue("qiaofeng", new { terminals = new[] { "LS-1", "LS-2" } }))!["terminals"]!.AsArray();
        var old = first[0]!["password"]!.GetValue<string>();
        Assert.Equal(MqttClientConnectResultCode.Success, await ConnectResult("qiaofeng/LS-1", old));

        var again = (await Issue("qiaofeng", new { terminals = new[] { "LS-1", "LS-3" } }))!;
        Assert.Equal(1, again["rotated"]!.GetValue<int>());
        var rotated = again["terminals"]!.AsArray();
        Assert.True(rotated[0]!["rotated"]!.GetValue<bool>());
        Assert.False(rotated[1]!["rotated"]!.GetValue<bool>());

        Assert.Equal(MqttClientConnectResultCode.BadUserNameOrPassword, await ConnectResult("qiaofeng/LS-1", old));
        Assert.Equal(MqttClientConnectResultCode.Success, await ConnectResult("qiaofeng/LS-1", rotated[0]!["password"]!.GetValue<string>()));
        Assert.Equal(MqttClientConnectResultCode.Success, await ConnectResult("qiaofeng/LS-2", first[1]!["password"]!.GetValue<string>()));
    }

    [Theory]
    [InlineData("""{"terminals":["BAD-1","bad/2"]}""", 400, "invalid-id")]
    [InlineData("""{"terminals":["DUP-1","DUP-1"]}""", 400, "invalid-field")]
    [InlineData("""{"terminals":[]}""", 400, "invalid-field")]
    [InlineData("""{"prefix":"Z-","count":0}""", 400, "invalid-field")]
    [InlineData("""{"prefix":"Z-","count":10001}""", 400, "invalid-field")]
    [InlineData("""{"prefix":"Z-","count":-5}""", 400, "invalid-field")]
    [InlineData("""{"prefix":"Z/","count":2}""", 400, "invalid-id")]
    [InlineData("""{"terminals":["Z-1"],"count":1}""", 400, "invalid-field")]
    [InlineData("""{}""", 400, "invalid-field")]
    [InlineData("""{"terminals":["Z-1"]""", 400, "malformed-json")]
    public async Task A_bad_fleet_request_is_refused_with_its_reason_and_issues_nothing(string body, int status, string reason)
    {
        var before = await (await Silo.Send(HttpMethod.Get, "/api/broker/passwd", Silo.AdminKey)).Content.ReadAsStringAsync();
        using var request = Silo.Request(HttpMethod.Post, "/api/enterprises/qiaofeng/terminals/credentials", Silo.AdminKey);
        request.Content = new StringContent(body, System.Text.Encoding.UTF8, "application/json");
        using var response = await Silo.Http.SendAsync(request);
        Assert.Equal(status, (int)response.StatusCode);
        Assert.Equal(reason, await SecuredSilo.Reason(response));
        var after = await (await Silo.Send(HttpMethod.Get, "/api/broker/passwd", Silo.AdminKey)).Content.ReadAsStringAsync();
        Assert.Equal(before, after);
    }

    [Fact]
    public async Task Another_firm_and_unknown_firms_get_no_credentials()
    {
        using (var foreign = await Silo.Send(HttpMethod.Post, "/api/enterprises/other/terminals/credentials", fleet.QiaofengKey, new { prefix = "X-", count = 2 }))
        {
            Assert.Equal(HttpStatusCode.Forbidden, foreign.StatusCode);
        }

        using var unknown = await Silo.Send(HttpMethod.Post, "/api/enterprises/nobody/terminals/credentials", Silo.AdminKey, new { prefix = "X-", count = 2 });
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Equal("unknown-enterprise", await SecuredSilo.Reason(unknown));
    }

    [Fact]
    public async Task Brain_terminal_fleet_writes_the_credentials_to_a_new_owner_only_file_and_prints_no_password()
    {
        var folder = Directory.CreateTempSubdirectory("ib-fleet-").FullName;
        var file = Path.Combine(folder, "terminals.csv");
        var ids = Path.Combine(folder, "ids.csv");
        await File.WriteAllLinesAsync(ids, ["terminal,step", "# the grinding line", "CSV-A,rough-grind", "CSV-B,rough-grind", ""]);
        try
        {
            var (code, output, error) = await Brain(fleet.QiaofengKey, "terminal", "fleet", "--enterprise", "qiaofeng", "--count", "1500", "--prefix", "CL-", "--out", file);
            Assert.True(code == 0, error);
            Assert.Contains("issued 1500 credentials of qiaofeng (0 rotated", output, StringComparison.Ordinal);
            var lines = await File.ReadAllLinesAsync(file);
            Assert.Equal("terminal,username,password", lines[0]);
            Assert.Equal(1501, lines.Length);
            Assert.StartsWith("CL-0001,qiaofeng/CL-0001,", lines[1], StringComparison.Ordinal);
            Assert.StartsWith("CL-1500,qiaofeng/CL-1500,", lines[^1], StringComparison.Ordinal);
            if (!OperatingSystem.IsWindows())
            {
                Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(file));
            }

            foreach (var line in lines.Skip(1).Take(20))
            {
                Assert.DoesNotContain(line.Split(',')[2], output + error, StringComparison.Ordinal);
            }

            var last = lines[^1].Split(',');
            Assert.Equal(MqttClientConnectResultCode.Success, await ConnectResult(last[1], last[2]));

            // The same file again: refused, nothing issued or overwritten.
            var again = await Brain(fleet.QiaofengKey, "terminal", "fleet", "--enterprise", "qiaofeng", "--count", "2", "--prefix", "CL-", "--out", file);
            Assert.NotEqual(0, again.Code);
            Assert.Contains("exists", again.Error, StringComparison.Ordinal);
            Assert.Equal(lines, await File.ReadAllLinesAsync(file));
            Assert.Equal(MqttClientConnectResultCode.Success, await ConnectResult(last[1], last[2]));

            // From a file of terminal ids (CSV, header and comments skipped).
            var fromIds = Path.Combine(folder, "from-ids.csv");
            (code, _, error) = await Brain(fleet.QiaofengKey, "terminal", "fleet", "--enterprise", "qiaofeng", "--from", ids, "--out", fromIds);
            Assert.True(code == 0, error);
            Assert.Equal(["CSV-A", "CSV-B"], (await File.ReadAllLinesAsync(fromIds)).Skip(1).Select(l => l.Split(',')[0]));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    private async Task<(int Code, string Output, string Error)> Brain(string key, params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var code = await BrainCommand.Run(["--api", Silo.Http.BaseAddress!.ToString(), "--key", key, .. args], output, error);
        return (code, output.ToString(), error.ToString());
    }
}
