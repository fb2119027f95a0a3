using System.CommandLine;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using IndustryBrain.Client.Api;

namespace IndustryBrain.Client.Commands;

/// <summary>brain erp import FILE --enterprise E</summary>
public static class ErpCommands
{
    public static Command Build()
    {
        var file = new Argument<FileInfo>("file") { Description = "A CSV file (.csv: kind,id,customer,date,product,quantity,unitPrice,order,salesOrder,line,amount,received) or a JSON file (salesOrders, shipments, invoices)" };
        var enterprise = new Option<string>("--enterprise") { Description = "The enterprise whose documents these are", Required = true };
        var import = new Command("import", "Import a firm's sales orders, shipments and invoices; good lines are applied, bad ones listed with their line and reason") { file, enterprise };
        Cli.Action(import, async (result, output, ct) =>
        {
            var path = result.GetValue(file)!;
            if (!path.Exists)
            {
                throw new BrainProblem(0, "no-file", $"{path.FullName} does not exist");
            }

            var csv = path.Extension.Equals(".csv", StringComparison.OrdinalIgnoreCase);
            using var content = new ByteArrayContent(await File.ReadAllBytesAsync(path.FullName, ct));
            content.Headers.ContentType = new MediaTypeHeaderValue(csv ? "text/csv" : "application/json") { CharSet = "utf-8" };
            using var api = Cli.Connect(result);
            var json = await api.Send(HttpMethod.Post, BrainApi.Path("api", "enterprises", result.GetValue(enterprise)!, "erp", "import"), content, ct);
            if (result.GetValue(Cli.Json))
            {
                output.WriteLine(json);
                return 0;
            }

            var report = JsonNode.Parse(json)!;
            var problems = report["problems"]!.AsArray();
            output.WriteLine($"{(int)report["applied"]!} documents applied, {(int)report["unchanged"]!} unchanged, {problems.Count} lines refused");
            if (problems.Count > 0)
            {
                var table = new Table("line", "kind", "id", "reason", "detail");
                foreach (var p in problems)
                {
                    table.Add((int)p!["line"]!, (string?)p["kind"], (string?)p["id"], (string?)p["reason"], (string?)p["detail"]);
                }

                table.WriteTo(output);
            }

            return problems.Count > 0 ? 1 : 0;
        });

        return new Command("erp", "A firm's ERP documents: sales orders, shipments, invoices") { import };
    }
}
