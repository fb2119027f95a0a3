using System.CommandLine;
using System.Globalization;
using System.Text.Json.Nodes;
using IndustryBrain.Client.Api;
using IndustryBrain.Contracts;

namespace IndustryBrain.Client.Commands;

/// <summary>brain bundle open|pledge|withdraw|close|cancel|show|list: pooled procurement (拼单集采).</summary>
public static class BundleCommands
{
    public static Command Build()
    {
        var bundle = new Argument<string>("bundle") { Description = "The bundle id, e.g. steel-2612" };
        var material = new Option<string>("--material") { Description = "What is bought, e.g. \"5Cr15MoV stainless strip 2.5mm\"", Required = true };
        var unit = new Option<string>("--unit") { Description = "Unit of quantity, e.g. t", Required = true };
        var supplier = new Option<string?>("--supplier") { Description = "Who sells it" };
        var listPrice = new Option<decimal>("--list-price") { Description = "Unit price without pooling", Required = true };
        var tiers = new Option<string?>("--tiers") { Description = "Volume tiers as minQuantity:unitPrice, e.g. \"50:20600,200:20300\"" };
        var minimum = new Option<decimal>("--min-quantity") { Description = "Total below which the bundle fails", Required = true };
        var closesAt = new Option<string>("--closes-at") { Description = "Deadline, RFC 3339, e.g. 2026-12-01T12:00:00+08:00", Required = true };

        var open = new Command("open", "Open a bundle") { bundle, material, unit, supplier, listPrice, tiers, minimum, closesAt };
        Cli.Action(open, async (result, output, ct) =>
        {
            var terms = new JsonObject
            {
                ["material"] = result.GetValue(material),
                ["unit"] = result.GetValue(unit),
                ["supplier"] = result.GetValue(supplier),
                ["listPrice"] = result.GetValue(listPrice),
                ["tiers"] = Tiers(result.GetValue(tiers)),
                ["minQuantity"] = result.GetValue(minimum),
                ["closesAt"] = When(result.GetValue(closesAt)!),
            };
            using var api = Cli.Connect(result);
            Print(output, result, await api.Send(HttpMethod.Put, BrainApi.Path("api", "bundles", result.GetValue(bundle)!), terms, ct));
            return 0;
        });

        var enterprise = new Argument<string>("enterprise") { Description = "The pledging enterprise" };
        var quantity = new Argument<decimal>("quantity") { Description = "The quantity pledged (replaces an earlier pledge)" };
        var pledge = new Command("pledge", "Pledge a quantity; a second pledge replaces the first") { bundle, enterprise, quantity };
        Cli.Action(pledge, async (result, output, ct) =>
        {
            using var api = Cli.Connect(result);
            var body = new JsonObject { ["quantity"] = result.GetValue(quantity) };
            Print(output, result, await api.Send(HttpMethod.Put, BrainApi.Path("api", "bundles", result.GetValue(bundle)!, "pledges", result.GetValue(enterprise)!), body, ct));
            return 0;
        });

        var withdraw = new Command("withdraw", "Withdraw a pledge while the bundle is open") { bundle, enterprise };
        Cli.Action(withdraw, async (result, output, ct) =>
        {
            using var api = Cli.Connect(result);
            Print(output, result, await api.Send(HttpMethod.Delete, BrainApi.Path("api", "bundles", result.GetValue(bundle)!, "pledges", result.GetValue(enterprise)!), null, ct));
            return 0;
        });

        Command Act(string name, string description) =>
            WithAction(new Command(name, description) { bundle }, (api, result, ct) =>
                api.Send(HttpMethod.Post, BrainApi.Path("api", "bundles", result.GetValue(bundle)!, name), null, ct));

        var show = WithAction(new Command("show", "A bundle's total, tier reached, unit price and every pledge") { bundle }, (api, result, ct) =>
            api.Send(HttpMethod.Get, BrainApi.Path("api", "bundles", result.GetValue(bundle)!), null, ct));

        var list = new Command("list", "Bundles, open first");
        Cli.Action(list, async (result, output, ct) =>
        {
            using var api = Cli.Connect(result);
            var json = await api.Send(HttpMethod.Get, "/api/bundles", null, ct);
            if (result.GetValue(Cli.Json))
            {
                output.WriteLine(json);
                return 0;
            }

            var table = new Table("bundle", "state", "total", "unit price", "savings", "firms", "closes", "material");
            foreach (var b in BrainApi.Parse<BundleView[]>(json))
            {
                table.Add(b.Bundle, b.State, $"{Table.Cell(b.TotalQuantity)} {b.Unit}", b.UnitPrice, b.Savings, b.Participants, b.ClosesAt, b.Material);
            }

            table.WriteTo(output);
            return 0;
        });

        return new Command("bundle", "Pooled procurement (拼单集采): bundles and pledges")
        {
            open, pledge, withdraw, Act("close", "Close now: closed if the minimum is reached, otherwise failed"), Act("cancel", "Cancel an open bundle"), show, list,
        };
    }

    private static Command WithAction(Command command, Func<BrainApi, ParseResult, CancellationToken, Task<string>> send)
    {
        Cli.Action(command, async (result, output, ct) =>
        {
            using var api = Cli.Connect(result);
            Print(output, result, await send(api, result, ct));
            return 0;
        });
        return command;
    }

    private static JsonArray Tiers(string? text)
    {
        var tiers = new JsonArray();
        foreach (var part in (text ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var pair = part.Split(':');
            if (pair.Length != 2
                || !decimal.TryParse(pair[0], NumberStyles.Number, CultureInfo.InvariantCulture, out var min)
                || !decimal.TryParse(pair[1], NumberStyles.Number, CultureInfo.InvariantCulture, out var price))
            {
                throw new UsageException($"--tiers: '{part}' is not minQuantity:unitPrice, e.g. 50:20600");
            }

            tiers.Add(new JsonObject { ["minQuantity"] = min, ["unitPrice"] = price });
        }

        return tiers;
    }

    private static DateTimeOffset When(string text) =>
        DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeLocal, out var at)
            ? at
            : throw new UsageException($"--closes-at '{text}' is not a date and time such as 2026-12-01T12:00:00+08:00");

    /// <summary>"tier 2 of 2 (from 200 t)", or "below the first tier (50 t)": tiers counted from 1, named by their minimum.</summary>
    public static string TierText(BundleView b) => b.TierReached is { } t && t < b.Tiers.Length
        ? $"tier {t + 1} of {b.Tiers.Length} (from {Table.Cell(b.Tiers[t].MinQuantity)} {b.Unit})"
        : b.Tiers.Length > 0 ? $"below the first tier ({Table.Cell(b.Tiers[0].MinQuantity)} {b.Unit})" : "no tiers";

    private static void Print(TextWriter output, ParseResult result, string json)
    {
        if (result.GetValue(Cli.Json))
        {
            output.WriteLine(json);
            return;
        }

        var b = BrainApi.Parse<BundleView>(json);
        output.WriteLine($"{b.Bundle}  {b.Material}  {b.State}");
        output.WriteLine($"  total {Table.Cell(b.TotalQuantity)} {b.Unit} of minimum {Table.Cell(b.MinQuantity)}   {TierText(b)}   unit price {Table.Cell(b.UnitPrice)} (list {Table.Cell(b.ListPrice)})");
        output.WriteLine($"  pooled value {Table.Cell(b.PooledValue)}   savings {Table.Cell(b.Savings)}   closes {Table.Cell(b.ClosesAt)}");
        var table = new Table("enterprise", "quantity", "cost", "savings");
        foreach (var p in b.Pledges)
        {
            table.Add(p.Enterprise, p.Quantity, p.Cost, p.Savings);
        }

        table.WriteTo(output, "  ");
    }
}
