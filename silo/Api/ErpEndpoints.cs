using System.Text;
using IndustryBrain.Contracts;
using IndustryBrain.Domain;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.Options;

namespace IndustryBrain.Silo.Api;

/// <summary>The body of POST /api/enterprises/{e}/erp/import as JSON: documents by kind, each with its id.</summary>
public sealed record ErpImport(ImportedSalesOrder[]? SalesOrders, ImportedShipment[]? Shipments, ImportedInvoice[]? Invoices);

public sealed record ImportedSalesOrder(string? Id, string? Customer, DateOnly? Date, SalesLine[]? Lines);

public sealed record ImportedShipment(string? Id, string? SalesOrder, DateOnly? Date, ShipmentLine[]? Lines);

public sealed record ImportedInvoice(string? Id, string? SalesOrder, DateOnly? Date, decimal Amount, decimal Received);

/// <summary>What an import did: documents applied (new or changed), unchanged, and the lines refused with their reasons.</summary>
public sealed record ImportReport(int Applied, int Unchanged, ImportProblem[] Problems);

/// <summary>A firm's ERP documents: sales orders, shipments, invoices (docs/board.md, "ERP import").</summary>
public static class ErpEndpoints
{
    public static void MapErp(this IEndpointRouteBuilder app)
    {
        var firms = app.MapGroup("/api/enterprises").WithTags("ERP");

        firms.MapPut("/{enterprise}/sales-orders/{id}", (string enterprise, string id, HttpRequest request, IGrainFactory grains, IOptions<JsonOptions> json) =>
            PutOne<SalesOrder>(enterprise, id, request, grains, json, body => new ErpDocument(ErpKinds.SalesOrder, id, SalesOrder: body)))
        .WithSummary("Record a sales order: customer, date and lines (product, quantity, unitPrice, and the production order that makes it); idempotent by id")
        .Accepts<SalesOrder>("application/json")
        .Produces<ErpResult>()
        .ProducesProblem(StatusCodes.Status400BadRequest);

        firms.MapPut("/{enterprise}/shipments/{id}", (string enterprise, string id, HttpRequest request, IGrainFactory grains, IOptions<JsonOptions> json) =>
            PutOne<Shipment>(enterprise, id, request, grains, json, body => new ErpDocument(ErpKinds.Shipment, id, Shipment: body)))
        .WithSummary("Record a shipment: the sales order and the quantity shipped of its lines (1-based); never more than ordered")
        .Accepts<Shipment>("application/json")
        .Produces<ErpResult>()
        .ProducesProblem(StatusCodes.Status400BadRequest);

        firms.MapPut("/{enterprise}/invoices/{id}", (string enterprise, string id, HttpRequest request, IGrainFactory grains, IOptions<JsonOptions> json) =>
            PutOne<Invoice>(enterprise, id, request, grains, json, body => new ErpDocument(ErpKinds.Invoice, id, Invoice: body)))
        .WithSummary("Record an invoice: the sales order, its amount and what has been received of it")
        .Accepts<Invoice>("application/json")
        .Produces<ErpResult>()
        .ProducesProblem(StatusCodes.Status400BadRequest);

        firms.MapGet("/{enterprise}/sales", async (string enterprise, IGrainFactory grains) =>
            await Unknown(enterprise, grains) ?? Results.Ok(await grains.GetGrain<ISalesLedgerGrain>(enterprise).GetFigures()))
        .WithSummary("The firm's sales and finance from its ERP documents")
        .Produces<SalesFigures>();

        firms.MapPost("/{enterprise}/erp/import", async (string enterprise, HttpRequest request, IGrainFactory grains, IOptions<JsonOptions> json) =>
        {
            if (await Unknown(enterprise, grains) is { } unknown)
            {
                return unknown;
            }

            List<ImportedDocument> documents;
            List<ImportProblem> problems;
            if (request.ContentType?.StartsWith("text/csv", StringComparison.OrdinalIgnoreCase) == true)
            {
                if (request.ContentLength > JsonBody.MaxBytes * 8)
                {
                    return Problems.Of(StatusCodes.Status413PayloadTooLarge, "too-large", $"the file is over {JsonBody.MaxBytes * 8} bytes");
                }

                using var reader = new StreamReader(request.Body, Encoding.UTF8);
                (documents, problems) = ErpCsv.Read(await reader.ReadToEndAsync());
            }
            else
            {
                var (body, problem) = await JsonBody.Read<ErpImport>(request, json.Value.SerializerOptions);
                if (problem is not null)
                {
                    return problem;
                }

                (documents, problems) = FromJson(body!);
            }

            var results = documents.Count == 0 ? [] : await grains.GetGrain<ISalesLedgerGrain>(enterprise).Apply([.. documents.Select(d => d.Document)]);
            var applied = 0;
            var unchanged = 0;
            for (var i = 0; i < results.Length; i++)
            {
                var result = results[i];
                if (result.Outcome == ErpResult.Refused)
                {
                    problems.AddRange(documents[i].Lines.Select(line => new ImportProblem(line, result.Kind, result.Id, result.Reason!, result.Detail!)));
                }
                else if (result.Outcome == ErpResult.Unchanged)
                {
                    unchanged++;
                }
                else
                {
                    applied++;
                }
            }

            return Results.Ok(new ImportReport(applied, unchanged, [.. problems.OrderBy(p => p.Line).ThenBy(p => p.Kind, StringComparer.Ordinal)]));
        })
        .WithSummary("Import ERP documents in bulk, as JSON (salesOrders, shipments, invoices) or text/csv; good lines are applied, each bad one reported with its line and reason")
        .Accepts<ErpImport>("application/json", "text/csv")
        .Produces<ImportReport>()
        .ProducesProblem(StatusCodes.Status400BadRequest)
        .ProducesProblem(StatusCodes.Status404NotFound);
    }

    private static (List<ImportedDocument>, List<ImportProblem>) FromJson(ErpImport body)
    {
        var documents = new List<ImportedDocument>();
        var problems = new List<ImportProblem>();
        void Add(string kind, int place, string? id, Func<string, ErpDocument> document)
        {
            if (id is null)
            {
                problems.Add(new ImportProblem(place, kind, id, "invalid-id", "id is missing"));
            }
            else
            {
                documents.Add(new ImportedDocument(document(id), [place]));
            }
        }

        // Sales orders first, then shipments, then invoices; a document's line is its place in its list.
        foreach (var (o, i) in (body.SalesOrders ?? []).Select((o, i) => (o, i + 1)))
        {
            Add(ErpKinds.SalesOrder, i, o?.Id, id => new ErpDocument(ErpKinds.SalesOrder, id, SalesOrder: new SalesOrder(o!.Customer, o.Date, o.Lines)));
        }

        foreach (var (s, i) in (body.Shipments ?? []).Select((s, i) => (s, i + 1)))
        {
            Add(ErpKinds.Shipment, i, s?.Id, id => new ErpDocument(ErpKinds.Shipment, id, Shipment: new Shipment(s!.SalesOrder, s.Date, s.Lines)));
        }

        foreach (var (v, i) in (body.Invoices ?? []).Select((v, i) => (v, i + 1)))
        {
            Add(ErpKinds.Invoice, i, v?.Id, id => new ErpDocument(ErpKinds.Invoice, id, Invoice: new Invoice(v!.SalesOrder, v.Date, v.Amount, v.Received)));
        }

        return (documents, problems);
    }

    private static async Task<IResult> PutOne<T>(string enterprise, string id, HttpRequest request, IGrainFactory grains, IOptions<JsonOptions> json,
        Func<T, ErpDocument> document)
        where T : class
    {
        if (Ids.Problem(id, "document id") is { } badId)
        {
            return Problems.BadRequest("invalid-id", badId);
        }

        if (await Unknown(enterprise, grains) is { } unknown)
        {
            return unknown;
        }

        var (body, problem) = await JsonBody.Read<T>(request, json.Value.SerializerOptions);
        if (problem is not null)
        {
            return problem;
        }

        var result = (await grains.GetGrain<ISalesLedgerGrain>(enterprise).Apply([document(body!)]))[0];
        return result.Outcome switch
        {
            ErpResult.Refused when result.Reason == "shipment-over-ordered" => Problems.Conflict(result.Reason, result.Detail!),
            ErpResult.Refused => Problems.BadRequest(result.Reason!, result.Detail!),
            ErpResult.Created => Results.Created(request.Path, result),
            _ => Results.Ok(result),
        };
    }

    private static async Task<IResult?> Unknown(string enterprise, IGrainFactory grains)
    {
        if (Ids.Problem(enterprise, "enterprise") is { } badId)
        {
            return Problems.BadRequest("invalid-id", badId);
        }

        return await grains.GetGrain<IEnterpriseGrain>(enterprise).IsRegistered()
            ? null
            : Problems.NotFound("unknown-enterprise", $"enterprise '{enterprise}' is not registered");
    }
}
