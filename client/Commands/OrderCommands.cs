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
        var key = new Argument<string[]>("order")
        {
            Description = "The order and its enterprise: qiaofeng QF-2611-0042 (or qiaofeng/QF-2611-0042)",
            Arity = new ArgumentArity(1, 2),
        };
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

        var enterpriseId = new Argument<string?>("enterprise") { Description = "Only this enterprise's orders (default: every firm's)", Arity = ArgumentArity.ZeroOrOne };
        var status = new Option<string?>("--status") { Description = "Only orders in this status: unplanned, on-track, at-risk, late, done" };
        var chainNode = new Option<string?>("--chain-node") { Description = "Only firms on this node of the chain, e.g. knives" };
        var limit = new Option<int?>("--limit") { Description = "At most this many (default 100, at most 1000)" };
        var cursor = new Option<string?>("--cursor") { Description = "The page after this one (the cursor the previous page printed)" };
        var list = new Command("list", "Orders with status and progress: one firm's, or the district's across firms") { enterpriseId, status, chainNode, limit, cursor };
        Cli.Action(list, async (result, output, ct) =>
        {
            using var api = Cli.Connect(result);
            var firm = result.GetValue(enterpriseId);
            if (firm is not null && result.GetValue(status) is null && result.GetValue(chainNode) is null && result.GetValue(limit) is null && result.GetValue(cursor) is null)
            {
                // One firm's orders, all of them, soonest due first.
                var json = await api.Send(HttpMethod.Get, BrainApi.Path("api", "enterprises", firm, "orders"), null, ct);
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
            }

            var query = Query(("enterprise", firm), ("status", result.GetValue(status)), ("chainNode", result.GetValue(chainNode)),
                ("limit", result.GetValue(limit)?.ToString(CultureInfo.InvariantCulture)), ("cursor", result.GetValue(cursor)));
            var page = await api.Send(HttpMethod.Get, "/api/orders" + query, null, ct);
            if (result.GetValue(Cli.Json))
            {
                output.WriteLine(page);
                return 0;
            }

            var orders = BrainApi.Parse<OrderPage>(page);
            var rows = new Table("enterprise", "order", "status", "progress", "completed", "quantity", "due", "product");
            foreach (var o in orders.Items)
            {
                rows.Add(o.Enterprise, o.Order, o.Status, o.Progress, o.Completed, o.Quantity, o.Due, o.Product);
            }

            rows.WriteTo(output);
            WriteNext(output, orders.Items.Length, orders.Next);
            return 0;
        });

        return new Command("order", "Production orders: plans and progress") { put, show, list };
    }

    /// <summary>"?a=1&amp;b=2" of the values given, escaped; "" when none is.</summary>
    public static string Query(params (string Name, string? Value)[] parameters)
    {
        var given = parameters.Where(p => p.Value is not null).Select(p => $"{p.Name}={Uri.EscapeDataString(p.Value!)}").ToArray();
        return given.Length == 0 ? "" : "?" + string.Join('&', given);
    }

    /// <summary>How many were shown and, when there are more, how to ask for them.</summary>
    public static void WriteNext(TextWriter output, int shown, string? next) =>
        output.WriteLine(next is null ? $"{shown} shown" : $"{shown} shown; more with --cursor {next}");

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

    /// <summary>"qiaofeng QF-2611-0042" (two arguments, as the other commands take them) or "qiaofeng/QF-2611-0042".</summary>
    private static (string Enterprise, string Order) Split(string[] key)
    {
        if (key.Length == 2)
        {
            return (key[0], key[1]);
        }

        var text = key[0];
        var slash = text.IndexOf('/');
        return slash > 0 && slash < text.Length - 1 && text.IndexOf('/', slash + 1) < 0
            ? (text[..slash], text[(slash + 1)..])
            : throw new UsageException($"'{text}' names no order: give the enterprise and the order, e.g. qiaofeng QF-2611-0042");
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
            // A step counted but not on the routing (unknown-step): kept, weighing nothing.
            var name = p.Product is not null && s.Name is null && s.Weight == 0 ? "(not on the routing)" : s.Name;
            table.Add(s.Step, s.Good, s.Scrap, s.Progress, s.Terminals, name);
        }

        table.WriteTo(output, "  ");
    }
}
