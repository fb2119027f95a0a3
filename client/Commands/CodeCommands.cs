using System.CommandLine;
using System.Globalization;
using System.Text.Json.Nodes;
using IndustryBrain.Client.Api;
using IndustryBrain.Contracts;

namespace IndustryBrain.Client.Commands;

/// <summary>brain codes ...: the identifier node (标识解析): prefixes, code assignment (赋码), exports, resolution.</summary>
public static class CodeCommands
{
    public static Command Build()
    {
        var enterprise = new Argument<string>("enterprise") { Description = "The enterprise id" };
        var prefix = new Argument<string>("prefix") { Description = "An enterprise prefix, e.g. 88.118.5.12" };
        var reason = new Option<string>("--reason") { Description = "Why (shown to the firm)", Required = true };

        var apply = Send(new Command("apply", "Apply for the enterprise's prefix") { enterprise }, (api, r, ct) =>
            api.Send(HttpMethod.Put, BrainApi.Path("api", "enterprises", r.GetValue(enterprise)!, "prefix"), null, ct), PrintPrefix);
        var show = Send(new Command("prefix", "The enterprise's prefix and its state") { enterprise }, (api, r, ct) =>
            api.Send(HttpMethod.Get, BrainApi.Path("api", "enterprises", r.GetValue(enterprise)!, "prefix"), null, ct), PrintPrefix);
        var approve = Send(new Command("approve", "Approve a prefix (administrator)") { prefix }, (api, r, ct) =>
            api.Send(HttpMethod.Post, BrainApi.Path("api", "prefixes", r.GetValue(prefix)!, "approve"), null, ct), PrintPrefix);
        var refuse = Send(new Command("refuse", "Refuse a prefix, with a reason (administrator)") { prefix, reason }, (api, r, ct) =>
            api.Send(HttpMethod.Post, BrainApi.Path("api", "prefixes", r.GetValue(prefix)!, "refuse"), new JsonObject { ["reason"] = r.GetValue(reason) }, ct), PrintPrefix);
        var suspend = Send(new Command("suspend", "Suspend a prefix, with a reason: its codes stop resolving (administrator)") { prefix, reason }, (api, r, ct) =>
            api.Send(HttpMethod.Post, BrainApi.Path("api", "prefixes", r.GetValue(prefix)!, "suspend"), new JsonObject { ["reason"] = r.GetValue(reason) }, ct), PrintPrefix);

        var prefixes = new Command("prefixes", "Every enterprise prefix with its state");
        Cli.Action(prefixes, async (result, output, ct) =>
        {
            using var api = Cli.Connect(result);
            var json = await api.Send(HttpMethod.Get, "/api/prefixes", null, ct);
            if (result.GetValue(Cli.Json))
            {
                output.WriteLine(json);
                return 0;
            }

            var table = new Table("prefix", "enterprise", "state", "ranges", "codes", "reason");
            foreach (var p in BrainApi.Parse<PrefixView[]>(json))
            {
                table.Add(p.Prefix, p.Enterprise, p.State, p.Ranges, p.CodesAssigned, p.Reason);
            }

            table.WriteTo(output);
            return 0;
        });

        var order = new Argument<string>("order") { Description = "The production order, e.g. QF-2611-0042" };
        var quantity = new Argument<long>("quantity") { Description = "How many codes" };
        var template = new Option<string>("--template") { Description = "Data template: knives, scissors, locks or one published later", Required = true };
        var version = new Option<int?>("--template-version") { Description = "Template version (default: the latest)" };
        var product = new Option<string>("--product") { Description = "The product as the trace page names it", Required = true };
        var attributes = new Option<string[]>("--attr") { Description = "A template attribute as name=value; repeat for each", AllowMultipleArgumentsPerToken = true };
        var gtin = new Option<string?>("--gtin") { Description = "The product's GTIN, for GS1 Digital Link (check digit verified)" };
        var productionDate = new Option<string?>("--production-date") { Description = "yyyy-MM-dd (default: the day the first step ran)" };
        var assign = new Command("assign", "Assign N codes to an order as one serial range (赋码)") { enterprise, order, quantity, template, version, product, attributes, gtin, productionDate };
        Cli.Action(assign, async (result, output, ct) =>
        {
            var body = new JsonObject
            {
                ["order"] = result.GetValue(order),
                ["quantity"] = result.GetValue(quantity),
                ["template"] = result.GetValue(template),
                ["templateVersion"] = result.GetValue(version),
                ["product"] = result.GetValue(product),
                ["attributes"] = Attributes(result.GetValue(attributes)),
                ["gtin"] = result.GetValue(gtin),
                ["productionDate"] = result.GetValue(productionDate),
            };
            using var api = Cli.Connect(result);
            var json = await api.Send(HttpMethod.Post, BrainApi.Path("api", "enterprises", result.GetValue(enterprise)!, "codes"), body, ct);
            if (result.GetValue(Cli.Json))
            {
                output.WriteLine(json);
                return 0;
            }

            var answer = JsonNode.Parse(json)!;
            var range = answer["range"]!;
            output.WriteLine($"{(long)answer["count"]!:N0} codes: {range["prefix"]}/{range["order"]}.{(long)range["first"]!:D6} to .{(long)range["last"]!:D6}");
            output.WriteLine($"  first: {answer["firstUrl"]}");
            output.WriteLine($"  export: brain codes export {result.GetValue(enterprise)} {range["order"]} {range["first"]} --out codes.csv");
            return 0;
        });

        var ranges = new Command("ranges", "The enterprise's allocated ranges") { enterprise };
        Cli.Action(ranges, async (result, output, ct) =>
        {
            using var api = Cli.Connect(result);
            var json = await api.Send(HttpMethod.Get, BrainApi.Path("api", "enterprises", result.GetValue(enterprise)!, "codes"), null, ct);
            if (result.GetValue(Cli.Json))
            {
                output.WriteLine(json);
                return 0;
            }

            var table = new Table("order", "first", "last", "codes", "template", "product", "gtin");
            foreach (var r in BrainApi.Parse<CodeRange[]>(json))
            {
                table.Add(r.Order, r.First, r.Last, r.Count, $"{r.Template}@{r.TemplateVersion}", r.Product, r.Gtin);
            }

            table.WriteTo(output);
            return 0;
        });

        var first = new Argument<long>("first") { Description = "The range's first serial" };
        var format = new Option<string>("--format") { Description = "csv (handle, serial, code, url) or urls", DefaultValueFactory = _ => "csv" };
        var file = new Option<string?>("--out") { Description = "Write to this file (default: standard output)" };
        var export = new Command("export", "The laser marker's file for one range, streamed") { enterprise, order, first, format, file };
        Cli.Action(export, async (result, output, ct) =>
        {
            if (result.GetValue(format) is not ("csv" or "urls"))
            {
                throw new UsageException("--format is csv or urls");
            }

            using var api = Cli.Connect(result);
            var path = BrainApi.Path("api", "enterprises", result.GetValue(enterprise)!, "codes", result.GetValue(order)!,
                result.GetValue(first).ToString(CultureInfo.InvariantCulture), "export") + "?format=" + result.GetValue(format);
            if (result.GetValue(file) is { } name)
            {
                await using var stream = File.Create(name);
                await api.Download(path, stream, ct);
                output.WriteLine($"written to {name}");
            }
            else
            {
                using var buffer = new MemoryStream();
                await api.Download(path, buffer, ct);
                output.Write(System.Text.Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length));
            }

            return 0;
        });

        var handle = new Argument<string>("handle") { Description = "An identifier, e.g. 88.118.5.12/QF-2611-0042.000123" };
        var code = new Option<string?>("--code") { Description = "The printed verification code (v= in the QR URL), checked if given" };
        var resolve = new Command("resolve", "Resolve an identifier (Handle REST shape); not a scan") { handle, code };
        Cli.Action(resolve, async (result, output, ct) =>
        {
            var text = result.GetValue(handle)!;
            var slash = text.IndexOf('/');
            if (slash <= 0)
            {
                throw new UsageException($"'{text}' is not an identifier such as 88.118.5.12/QF-2611-0042.000123");
            }

            using var api = Cli.Connect(result);
            var path = BrainApi.Path("api", "handles", text[..slash], text[(slash + 1)..]) + (result.GetValue(code) is { } v ? "?v=" + Uri.EscapeDataString(v) : "");
            string json;
            try
            {
                json = await api.Send(HttpMethod.Get, path, null, ct);
            }
            catch (BrainProblem problem) when (problem.Status == 404)
            {
                output.WriteLine($"{text}: not issued");
                return 1;
            }

            if (result.GetValue(Cli.Json))
            {
                output.WriteLine(json);
                return 0;
            }

            var answer = JsonNode.Parse(json)!;
            output.WriteLine($"{answer["handle"]}: issued");
            foreach (var value in answer["values"]!.AsArray())
            {
                output.WriteLine($"  {value!["index"],3} {value["type"],-16} {value["data"]!["value"]}");
            }

            return 0;
        });

        var templates = new Command("templates", "The data templates (数据模板) with their versions");
        Cli.Action(templates, async (result, output, ct) =>
        {
            using var api = Cli.Connect(result);
            var json = await api.Send(HttpMethod.Get, "/api/code-templates", null, ct);
            if (result.GetValue(Cli.Json))
            {
                output.WriteLine(json);
                return 0;
            }

            foreach (var t in BrainApi.Parse<CodeTemplate[]>(json))
            {
                output.WriteLine($"{t.Id}@{t.Version}  {t.Name} / {t.NameEn}  GB/T 4754 {t.IndustryCode}");
                foreach (var a in t.Attributes)
                {
                    var range = a.Min is null && a.Max is null ? "" : $" [{a.Min?.ToString(CultureInfo.InvariantCulture)}..{a.Max?.ToString(CultureInfo.InvariantCulture)}]";
                    output.WriteLine($"  {a.Name} {a.Type}{(a.Unit is null ? "" : " " + a.Unit)}{range}{(a.Required ? " required" : "")}");
                }
            }

            return 0;
        });

        return new Command("codes", "Identifier codes (标识解析): prefixes, code assignment, laser exports, resolution")
        {
            apply, show, prefixes, approve, refuse, suspend, assign, ranges, export, resolve, templates,
        };
    }

    private static Command Send(Command command, Func<BrainApi, ParseResult, CancellationToken, Task<string>> send, Action<TextWriter, string> print)
    {
        Cli.Action(command, async (result, output, ct) =>
        {
            using var api = Cli.Connect(result);
            var json = await send(api, result, ct);
            if (result.GetValue(Cli.Json))
            {
                output.WriteLine(json);
            }
            else
            {
                print(output, json);
            }

            return 0;
        });
        return command;
    }

    private static void PrintPrefix(TextWriter output, string json)
    {
        var p = BrainApi.Parse<PrefixView>(json);
        output.WriteLine($"{p.Prefix}  {p.Enterprise}  {p.State}{(p.Reason is null ? "" : $" ({p.Reason})")}  {p.Ranges} ranges, {p.CodesAssigned:N0} codes");
    }

    private static JsonObject Attributes(string[]? pairs)
    {
        var attributes = new JsonObject();
        foreach (var pair in pairs ?? [])
        {
            var eq = pair.IndexOf('=');
            if (eq <= 0)
            {
                throw new UsageException($"--attr '{pair}' is not name=value, e.g. bladeSteel=5Cr15MoV");
            }

            attributes[pair[..eq]] = pair[(eq + 1)..];
        }

        return attributes;
    }
}
