using System.CommandLine;
using IndustryBrain.Client.Api;
using IndustryBrain.Contracts;

namespace IndustryBrain.Client.Commands;

/// <summary>brain enterprise put|show|list</summary>
public static class EnterpriseCommands
{
    public static Command Build()
    {
        var id = new Argument<string>("enterprise") { Description = "The enterprise id, e.g. qiaofeng" };
        var name = new Option<string>("--name") { Description = "Registered name", Required = true };
        var uscc = new Option<string>("--uscc") { Description = "Unified Social Credit Code (18 characters)", Required = true };
        var chainNode = new Option<string?>("--chain-node") { Description = "Node of the industry chain, e.g. knives" };
        var park = new Option<string?>("--park") { Description = "Industrial park" };
        var tier = new Option<string?>("--tier") { Description = "Size tier, e.g. 规上" };

        var put = new Command("put", "Register an enterprise or update its profile") { id, name, uscc, chainNode, park, tier };
        Cli.Action(put, async (result, output, ct) =>
        {
            using var api = Cli.Connect(result);
            var body = new { name = result.GetValue(name), uscc = result.GetValue(uscc), chainNode = result.GetValue(chainNode), park = result.GetValue(park), tier = result.GetValue(tier) };
            var json = await api.Send(HttpMethod.Put, BrainApi.Path("api", "enterprises", result.GetValue(id)!), body, ct);
            Print(output, result, json);
            return 0;
        });

        var show = new Command("show", "An enterprise's profile, today's output, orders and terminals") { id };
        Cli.Action(show, async (result, output, ct) =>
        {
            using var api = Cli.Connect(result);
            Print(output, result, await api.Send(HttpMethod.Get, BrainApi.Path("api", "enterprises", result.GetValue(id)!), null, ct));
            return 0;
        });

        var listChainNode = new Option<string?>("--chain-node") { Description = "Only firms on this node of the chain, e.g. knives" };
        var limit = new Option<int?>("--limit") { Description = "At most this many (default 100, at most 1000)" };
        var cursor = new Option<string?>("--cursor") { Description = "The page after this one (the cursor the previous page printed)" };
        var list = new Command("list", "The district's enterprises by id, with orders, terminals and output today") { listChainNode, limit, cursor };
        Cli.Action(list, async (result, output, ct) =>
        {
            using var api = Cli.Connect(result);
            var query = OrderCommands.Query(("chainNode", result.GetValue(listChainNode)),
                ("limit", result.GetValue(limit)?.ToString(System.Globalization.CultureInfo.InvariantCulture)), ("cursor", result.GetValue(cursor)));
            var json = await api.Send(HttpMethod.Get, "/api/enterprises" + query, null, ct);
            if (result.GetValue(Cli.Json))
            {
                output.WriteLine(json);
                return 0;
            }

            var page = BrainApi.Parse<EnterprisePage>(json);
            var table = new Table("enterprise", "chain node", "active orders", "late", "at risk", "online", "in fault", "units today", "name");
            foreach (var e in page.Items)
            {
                table.Add(e.Enterprise, e.ChainNode, e.ActiveOrders, e.OrdersByStatus.GetValueOrDefault(OrderStatuses.Late),
                    e.OrdersByStatus.GetValueOrDefault(OrderStatuses.AtRisk), e.TerminalsOnline, e.TerminalsInFault, e.OutputToday.Units,
                    e.Registered ? e.Name : "(not registered)");
            }

            table.WriteTo(output);
            output.WriteLine(page.Next is null ? $"{page.Items.Length} of {page.Total} shown" : $"{page.Items.Length} of {page.Total} shown; more with --cursor {page.Next}");
            return 0;
        });

        return new Command("enterprise", "Enterprises of the district") { put, show, list };
    }

    private static void Print(TextWriter output, ParseResult result, string json)
    {
        if (result.GetValue(Cli.Json))
        {
            output.WriteLine(json);
            return;
        }

        var view = BrainApi.Parse<EnterpriseView>(json);
        var profile = view.Profile;
        output.WriteLine($"{view.Enterprise}  {profile?.Name}");
        output.WriteLine($"  uscc {profile?.Uscc}   chain node {profile?.ChainNode ?? "-"}   park {profile?.Park ?? "-"}   tier {profile?.Tier ?? "-"}");
        output.WriteLine($"  today {view.Today:yyyy-MM-dd}: {Table.Cell(view.OutputToday.Units)} units, value {Table.Cell(view.OutputToday.Value)}");
        var statuses = string.Join(", ", view.OrdersByStatus.Where(s => s.Value > 0).Select(s => $"{s.Key} {s.Value}"));
        output.WriteLine($"  active orders {view.ActiveOrders}" + (statuses.Length > 0 ? $" ({statuses})" : ""));
        output.WriteLine($"  terminals online {view.TerminalsOnline}, in fault {view.TerminalsInFault}, known {view.Terminals.Length}");
    }
}
