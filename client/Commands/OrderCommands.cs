using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using IndustryBrain.Client.Api;
using IndustryBrain.Client.Simulator;
using IndustryBrain.Contracts;

namespace IndustryBrain.Client.Commands;

/// <summary>brain order put|show|list, and brain rejects.</summary>
public static class OrderCommands
{
    public static Command Build()
    {
        var key = new Argument<string>("enterprise/order") { Description = "The order, named by its enterprise, e.g. qiaofeng/QF-2611-0042" };
        var product = new Option<string?>("--product") { Description = "What is made, e.g. \"slaughter knife 8in\"" };
        var quantity = new Option<long?>("--quantity") { Description = "Pieces ordered" };
        var unitPrice = new Option<decimal?>("--unit-price") { Description = "Price of one piece" };
        var due = new Option<string?>("--due") { Description = "When it is due, RFC 3339, e.g. 2026-11-23T18:00:00+08:00" };
        var routing = new Option<string?>("--routing") { Description = "Steps in order: \"blank:下料,forge:锻打,...\" (step[:name[:weight]])" };
        var planFile = new Option<FileInfo?>("--plan") { Description = "A JSON order plan; the options above override its fields" };

        var put = new Command("put", "Plan an order (or replace its plan)") { key, product, quantity, unitPrice, due, routing, planFile };
        Cli.Action(put, async (result, output, ct) =>
        {
            var (enterprise, order) = Split(result.GetValue(key)!);
            var plan = new JsonObject();
            if (result.GetValue(planFile) is { } file)
            {
                plan = JsonNode.Parse(await File.ReadAllTextAsync(file.FullName, ct)) as JsonObject
                    ?? throw new UsageException($"--plan {file.Name} does not hold a JSON object");
            }

            Set(plan, "product", result.GetValue(product));
            Set(plan, "quantity", result.GetValue(quantity));
            Set(plan, "unitPrice", result.GetValue(unitPrice));
            Set(plan, "due", result.GetValue(due) is { } text ? Due(text) : (DateTimeOffset?)null);
            if (result.GetValue(routing) is { } steps)
            {
                try
                {
                    plan["routing"] = JsonSerializer.SerializeToNode(Catalog.Routing(steps), BrainApi.Json);
                }
                catch (FormatException e)
                {
                    throw new UsageException($"--routing: {e.Message}");
                }
            }

            var missing = new[] { "product", "quantity", "unitPrice", "due", "routing" }.Where(f => plan[f] is null).ToArray();
            if (missing.Length > 0)
            {
                throw new UsageException($"the plan has no {string.Join(", ", missing)} (give --plan or the options)");
            }

            using var api = Cli.Connect(result);
            var json = await api.Send(HttpMethod.Put, BrainApi.Path("api", "enterprises", enterprise, "orders", order), plan, ct);
            PrintProgress(output, result, json);
            return 0;
        });

        var show = new Command("show", "An order's progress per step, with ETA and status") { key };
        Cli.Action(show, async (result, output, ct) =>
        {
            var (enterprise, order) = Split(result.GetValue(key)!);
            using var api = Cli.Connect(result);
            PrintProgress(output, result, await api.Send(HttpMethod.Get, BrainApi.Path("api", "enterprises", enterprise, "orders", order), null, ct));
            return 0;
        });

        var enterpriseId = new Argument<string>("enterprise") { Description = "The enterprise id" };
        var list = new Command("list", "The enterprise's orders with status and progress") { enterpriseId };
        Cli.Action(list, async (result, output, ct) =>
        {
            using var api = Cli.Connect(result);
            var json = await api.Send(HttpMethod.Get, BrainApi.Path("api", "enterprises", result.GetValue(enterpriseId)!, "orders"), null, ct);
            if (result.GetValue(Cli.Json))
            {
                output.WriteLine(json);
                return 0;
            }

            var table = new Table("order", "status", "progress", "completed", "quantity", "due", "eta", "product");
            foreach (var o in BrainApi.Parse<OrderSummary[]>(json))
            {
                table.Add(o.Order, o.Status, o.Progress, o.Completed, o.Quantity, o.Due, o.Eta, o.Product);
            }

            table.WriteTo(output);
            return 0;
        });

        return new Command("order", "Production orders: plans and progress") { put, show, list };
    }

    public static Command Rejects()
    {
        var enterprise = new Option<string?>("--enterprise") { Description = "Only this enterprise's rejections" };
        var limit = new Option<int?>("--limit") { Description = "At most this many (the brain's default: 100)" };
        var rejects = new Command("rejects", "Recent rejected messages, newest first") { enterprise, limit };
        Cli.Action(rejects, async (result, output, ct) =>
        {
            var query = new List<string>();
            if (result.GetValue(enterprise) is { } e)
            {
                query.Add("enterprise=" + Uri.EscapeDataString(e));
            }

            if (result.GetValue(limit) is { } n)
            {
                query.Add(string.Create(CultureInfo.InvariantCulture, $"limit={n}"));
            }

            using var api = Cli.Connect(result);
            var json = await api.Send(HttpMethod.Get, "/api/rejects" + (query.Count > 0 ? "?" + string.Join('&', query) : ""), null, ct);
            if (result.GetValue(Cli.Json))
            {
                output.WriteLine(json);
                return 0;
            }

            var table = new Table("at", "enterprise", "terminal", "reason", "seq", "detail");
            foreach (var r in BrainApi.Parse<Rejection[]>(json))
            {
                table.Add(r.At.ToLocalTime().ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture), r.Enterprise, r.Terminal, r.Reason, r.Seq, r.Detail);
            }

            table.WriteTo(output);
            return 0;
        });
        return rejects;
    }

    private static (string Enterprise, string Order) Split(string key)
    {
        var slash = key.IndexOf('/');
        return slash > 0 && slash < key.Length - 1 && key.IndexOf('/', slash + 1) < 0
            ? (key[..slash], key[(slash + 1)..])
            : throw new UsageException($"'{key}' is not enterprise/order, e.g. qiaofeng/QF-2611-0042");
    }

    private static void Set<T>(JsonObject plan, string field, T? value)
    {
        if (value is not null)
        {
            plan[field] = JsonSerializer.SerializeToNode(value, BrainApi.Json);
        }
    }

    private static DateTimeOffset Due(string text) =>
        DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeLocal, out var due)
            ? due
            : throw new UsageException($"--due '{text}' is not a date and time such as 2026-11-23T18:00:00+08:00");

    private static void PrintProgress(TextWriter output, ParseResult result, string json)
    {
        if (result.GetValue(Cli.Json))
        {
            output.WriteLine(json);
            return;
        }

        var p = BrainApi.Parse<OrderProgress>(json);
        output.WriteLine($"{p.Enterprise}/{p.Order}  {p.Product ?? "(no plan yet)"}  {p.Status}");
        output.WriteLine($"  quantity {Table.Cell(p.Quantity)}   progress {Table.Cell(p.Progress)}   completed {Table.Cell(p.Completed)}   value {Table.Cell(p.OutputValue)}");
        output.WriteLine($"  due {Table.Cell(p.Due)}   eta {Table.Cell(p.Eta)}   last reading {Table.Cell(p.LastReadingAt)}");
        var table = new Table("step", "good", "scrap", "progress", "terminals", "name");
        foreach (var s in p.Steps)
        {
            table.Add(s.Step, s.Good, s.Scrap, s.Progress, s.Terminals, s.Name);
        }

        table.WriteTo(output, "  ");
    }
}
