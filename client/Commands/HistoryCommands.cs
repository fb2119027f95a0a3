using System.CommandLine;
using System.Globalization;
using System.Text.Json;

namespace IndustryBrain.Client.Commands;

/// <summary>brain history timeline|output: the history archive (docs/history.md).</summary>
public static class HistoryCommands
{
    public static Command Build()
    {
        var csv = new Option<bool>("--csv") { Description = "Print CSV (as the brain exports it) instead of a table" };

        var enterprise = new Argument<string>("enterprise") { Description = "The enterprise id" };
        var order = new Argument<string>("order") { Description = "The order id" };
        var since = new Option<string?>("--from") { Description = "From this time (RFC 3339 or yyyy-MM-dd); default: the whole retention" };
        var until = new Option<string?>("--to") { Description = "Until this time (RFC 3339 or yyyy-MM-dd, exclusive); default: now" };
        var limit = new Option<int?>("--limit") { Description = "At most this many readings (the brain's default: 10000)" };
        var timeline = new Command("timeline", "An order's archived readings per step and terminal, oldest first") { enterprise, order, since, until, limit, csv };
        Cli.Action(timeline, async (result, output, ct) =>
        {
            var path = "/api/history/enterprises/" + Uri.EscapeDataString(result.GetValue(enterprise)!) + "/orders/" + Uri.EscapeDataString(result.GetValue(order)!) + "/timeline";
            var query = Query(("from", result.GetValue(since)), ("to", result.GetValue(until)),
                ("limit", result.GetValue(limit)?.ToString(CultureInfo.InvariantCulture)), ("format", result.GetValue(csv) ? "csv" : null));
            using var api = Cli.Connect(result);
            var body = await api.Send(HttpMethod.Get, path + query, null, ct);
            if (result.GetValue(csv) || result.GetValue(Cli.Json))
            {
                output.Write(body);
                return 0;
            }

            using var json = JsonDocument.Parse(body);
            var rows = new List<(DateTimeOffset Ts, string Step, string Terminal, int Run, long Seq, long Good, long Scrap)>();
            foreach (var step in json.RootElement.GetProperty("steps").EnumerateArray())
            {
                foreach (var terminal in step.GetProperty("terminals").EnumerateArray())
                {
                    foreach (var point in terminal.GetProperty("points").EnumerateArray())
                    {
                        rows.Add((point.GetProperty("ts").GetDateTimeOffset(), step.GetProperty("step").GetString()!, terminal.GetProperty("terminal").GetString()!,
                            point.GetProperty("run").GetInt32(), point.GetProperty("seq").GetInt64(), point.GetProperty("good").GetInt64(), point.GetProperty("scrap").GetInt64()));
                    }
                }
            }

            var table = new Table("time", "step", "terminal", "run", "seq", "good", "scrap");
            foreach (var row in rows.OrderBy(r => r.Ts))
            {
                table.Add(row.Ts.ToString("yyyy-MM-dd HH:mm:ss.fff zzz", CultureInfo.InvariantCulture), row.Step, row.Terminal, row.Run, row.Seq, row.Good, row.Scrap);
            }

            table.WriteTo(output);
            var count = json.RootElement.GetProperty("readings").GetInt32();
            output.WriteLine(json.RootElement.GetProperty("truncated").GetBoolean()
                ? $"{count} readings shown; there are more (--limit, --from, --to)"
                : $"{count} readings");
            return 0;
        });

        var from = new Option<string?>("--from") { Description = "First district day, yyyy-MM-dd (default: 29 days before --to)" };
        var to = new Option<string?>("--to") { Description = "Last district day, yyyy-MM-dd (default: today)" };
        var ofEnterprise = new Option<string?>("--enterprise") { Description = "One enterprise's output (an enterprise's key may ask only for its own)" };
        var ofNode = new Option<string?>("--node") { Description = "One chain node's output, e.g. knives" };
        var output = new Command("output", "Output units and value per district day: the district's, one enterprise's or one chain node's") { from, to, ofEnterprise, ofNode, csv };
        Cli.Action(output, async (result, writer, ct) =>
        {
            if (result.GetValue(ofEnterprise) is not null && result.GetValue(ofNode) is not null)
            {
                throw new UsageException("give --enterprise or --node, not both");
            }

            var query = Query(("from", result.GetValue(from)), ("to", result.GetValue(to)), ("enterprise", result.GetValue(ofEnterprise)),
                ("node", result.GetValue(ofNode)), ("format", result.GetValue(csv) ? "csv" : null));
            using var api = Cli.Connect(result);
            var body = await api.Send(HttpMethod.Get, "/api/history/output" + query, null, ct);
            if (result.GetValue(csv) || result.GetValue(Cli.Json))
            {
                writer.Write(body);
                return 0;
            }

            using var json = JsonDocument.Parse(body);
            var table = new Table("date", "units", "value");
            foreach (var day in json.RootElement.GetProperty("days").EnumerateArray())
            {
                table.Add(day.GetProperty("date").GetString(), day.GetProperty("units").GetInt64(), day.GetProperty("value").GetDecimal());
            }

            var total = json.RootElement.GetProperty("total");
            table.Add("total", total.GetProperty("units").GetInt64(), total.GetProperty("value").GetDecimal());
            table.WriteTo(writer);
            return 0;
        });

        var ofTerminal = new Option<string?>("--terminal") { Description = "One terminal's availability (default: every terminal of the enterprise)" };
        var firm = new Argument<string>("enterprise") { Description = "The enterprise id" };
        var availability = new Command("availability", "Each terminal's seconds running, idle, in fault and offline per district day, and availability = running / observed")
        {
            firm, from, to, ofTerminal, csv,
        };
        Cli.Action(availability, async (result, writer, ct) =>
        {
            var query = Query(("from", result.GetValue(from)), ("to", result.GetValue(to)), ("terminal", result.GetValue(ofTerminal)),
                ("format", result.GetValue(csv) ? "csv" : null));
            using var api = Cli.Connect(result);
            var body = await api.Send(HttpMethod.Get, "/api/history/enterprises/" + Uri.EscapeDataString(result.GetValue(firm)!) + "/availability" + query, null, ct);
            if (result.GetValue(csv) || result.GetValue(Cli.Json))
            {
                writer.Write(body);
                return 0;
            }

            using var json = JsonDocument.Parse(body);
            var table = new Table("terminal", "date", "running", "idle", "fault", "offline", "unknown", "availability");
            foreach (var terminal in json.RootElement.GetProperty("terminals").EnumerateArray())
            {
                var id = terminal.GetProperty("terminal").GetString();
                foreach (var day in terminal.GetProperty("days").EnumerateArray().Append(terminal.GetProperty("total")))
                {
                    table.Add(id, day.TryGetProperty("date", out var date) && date.ValueKind == JsonValueKind.String ? date.GetString() : "total", Duration(day, "running"), Duration(day, "idle"),
                        Duration(day, "fault"), Duration(day, "offline"), Duration(day, "unknown"),
                        day.TryGetProperty("availability", out var a) && a.ValueKind == JsonValueKind.Number ? a.GetDouble() : null);
                }
            }

            table.WriteTo(writer);
            writer.WriteLine(json.RootElement.GetProperty("definition").GetString());
            return 0;
        });

        return new Command("history", "The history archive: an order's timeline, output per day, terminal availability per day") { timeline, output, availability };
    }

    private static string Duration(JsonElement day, string name)
    {
        var span = TimeSpan.FromSeconds(day.GetProperty(name).GetInt64());
        var clock = span.ToString(@"hh\:mm\:ss", CultureInfo.InvariantCulture);
        return span.TotalDays >= 1 ? ((int)span.TotalDays).ToString(CultureInfo.InvariantCulture) + "d " + clock : clock;
    }

    private static string Query(params (string Name, string? Value)[] parameters)
    {
        var given = parameters.Where(p => p.Value is not null).Select(p => $"{p.Name}={Uri.EscapeDataString(p.Value!)}").ToArray();
        return given.Length == 0 ? "" : "?" + string.Join('&', given);
    }
}
