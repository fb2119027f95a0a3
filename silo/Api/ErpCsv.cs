using System.Globalization;
using IndustryBrain.Contracts;

namespace IndustryBrain.Silo.Api;

/// <summary>A line of an import that was not applied: its line number in the file (CSV) or its place in its list (JSON, from 1), and why.</summary>
public sealed record ImportProblem(int Line, string Kind, string? Id, string Reason, string Detail);

/// <summary>One document of an import and the lines it came from.</summary>
public sealed record ImportedDocument(ErpDocument Document, int[] Lines);

/// <summary>
/// ERP documents from CSV (RFC 4180 quoting), one row per sales-order line, shipment line or invoice, under a header
/// naming the columns: <c>kind,id,customer,date,product,quantity,unitPrice,order,salesOrder,line,amount,received</c>
/// (any order; only those a row's kind needs must be there). Rows of one sales order (or shipment) with the same id
/// make one document, their lines numbered in the order of the rows. A row that cannot be read is reported with its
/// line number and reason, and the rest of the file is applied.
/// </summary>
public static class ErpCsv
{
    public const int MaxRows = 50_000;

    public static (List<ImportedDocument> Documents, List<ImportProblem> Problems) Read(string text)
    {
        var documents = new List<ImportedDocument>();
        var problems = new List<ImportProblem>();
        var rows = Rows(text.TrimStart('\uFEFF')).ToList();
        if (rows.Count == 0)
        {
            problems.Add(new ImportProblem(1, "", null, "invalid-field", "the file is empty: it needs a header line and rows"));
            return (documents, problems);
        }

        var header = rows[0].Fields.Select(f => f.Trim()).ToArray();
        if (Array.IndexOf(header, "kind") < 0 || Array.IndexOf(header, "id") < 0)
        {
            problems.Add(new ImportProblem(rows[0].Line, "", null, "invalid-field", "the header line must name the columns, kind and id among them"));
            return (documents, problems);
        }

        var salesOrders = new Dictionary<string, (string? Customer, DateOnly? Date, List<SalesLine> Lines, List<int> Rows)>(StringComparer.Ordinal);
        var shipments = new Dictionary<string, (string? SalesOrder, DateOnly? Date, List<ShipmentLine> Lines, List<int> Rows)>(StringComparer.Ordinal);
        var invoices = new List<ImportedDocument>();
        foreach (var (line, fields) in rows.Skip(1).Take(MaxRows))
        {
            if (fields.Length == 1 && fields[0].Length == 0)
            {
                continue;
            }

            string? Field(string name)
            {
                var i = Array.IndexOf(header, name);
                return i >= 0 && i < fields.Length && fields[i].Trim().Length > 0 ? fields[i].Trim() : null;
            }

            var kind = Field("kind") ?? "";
            var id = Field("id");
            if (fields.Length != header.Length)
            {
                problems.Add(new ImportProblem(line, kind, id, "malformed-csv", $"the line has {fields.Length} fields, the header {header.Length}"));
                continue;
            }

            if (id is null)
            {
                problems.Add(new ImportProblem(line, kind, id, "invalid-id", "id is missing"));
                continue;
            }

            try
            {
                switch (kind)
                {
                    case ErpKinds.SalesOrder:
                        if (!salesOrders.TryGetValue(id, out var order))
                        {
                            salesOrders[id] = order = (Field("customer"), Date(Field("date")), [], []);
                        }

                        order.Lines.Add(new SalesLine(Field("product"), Long(Field("quantity"), "quantity"), Decimal(Field("unitPrice"), "unitPrice"), Field("order")));
                        order.Rows.Add(line);
                        break;
                    case ErpKinds.Shipment:
                        if (!shipments.TryGetValue(id, out var shipment))
                        {
                            shipments[id] = shipment = (Field("salesOrder"), Date(Field("date")), [], []);
                        }

                        shipment.Lines.Add(new ShipmentLine((int)Long(Field("line"), "line"), Long(Field("quantity"), "quantity")));
                        shipment.Rows.Add(line);
                        break;
                    case ErpKinds.Invoice:
                        var invoice = new Invoice(Field("salesOrder"), Date(Field("date")), Decimal(Field("amount"), "amount"), Decimal(Field("received") ?? "0", "received"));
                        invoices.Add(new ImportedDocument(new ErpDocument(kind, id, Invoice: invoice), [line]));
                        break;
                    default:
                        problems.Add(new ImportProblem(line, kind, id, "invalid-field", "kind must be sales-order, shipment or invoice"));
                        break;
                }
            }
            catch (FormatException e)
            {
                problems.Add(new ImportProblem(line, kind, id, "invalid-field", e.Message));
            }
        }

        if (rows.Count - 1 > MaxRows)
        {
            problems.Add(new ImportProblem(rows[MaxRows + 1].Line, "", null, "too-large", $"only the first {MaxRows} rows are read"));
        }

        // Sales orders first, then shipments, then invoices: a file may hold an order and its shipment in any order.
        documents.AddRange(salesOrders.Select(o => new ImportedDocument(
            new ErpDocument(ErpKinds.SalesOrder, o.Key, SalesOrder: new SalesOrder(o.Value.Customer, o.Value.Date, [.. o.Value.Lines])), [.. o.Value.Rows])));
        documents.AddRange(shipments.Select(s => new ImportedDocument(
            new ErpDocument(ErpKinds.Shipment, s.Key, Shipment: new Shipment(s.Value.SalesOrder, s.Value.Date, [.. s.Value.Lines])), [.. s.Value.Rows])));
        documents.AddRange(invoices);
        return (documents, problems);
    }

    private static long Long(string? text, string field) =>
        long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value)
            ? value
            : throw new FormatException($"{field} must be a whole number, not '{text}'");

    private static decimal Decimal(string? text, string field) =>
        decimal.TryParse(text, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var value)
            ? value
            : throw new FormatException($"{field} must be a number, not '{text}'");

    private static DateOnly? Date(string? text) =>
        text is null ? null
        : DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date) ? date
        : throw new FormatException($"date must be yyyy-MM-dd, not '{text}'");

    /// <summary>The file's rows with the line each begins on; a quoted field may hold commas, doubled quotes and line breaks.</summary>
    private static IEnumerable<(int Line, string[] Fields)> Rows(string text)
    {
        var fields = new List<string>();
        var field = new System.Text.StringBuilder();
        var line = 1;
        var start = 1;
        var quoted = false;
        var any = false;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            any = true;
            if (quoted)
            {
                if (c == '"' && i + 1 < text.Length && text[i + 1] == '"')
                {
                    field.Append('"');
                    i++;
                }
                else if (c == '"')
                {
                    quoted = false;
                }
                else
                {
                    if (c == '\n')
                    {
                        line++;
                    }

                    field.Append(c);
                }
            }
            else if (c == '"' && field.Length == 0)
            {
                quoted = true;
            }
            else if (c == ',')
            {
                fields.Add(field.ToString());
                field.Clear();
            }
            else if (c is '\n' or '\r')
            {
                if (c == '\r' && i + 1 < text.Length && text[i + 1] == '\n')
                {
                    i++;
                }

                fields.Add(field.ToString());
                field.Clear();
                yield return (start, fields.ToArray());
                fields.Clear();
                line++;
                start = line;
                any = false;
            }
            else
            {
                field.Append(c);
            }
        }

        if (any)
        {
            fields.Add(field.ToString());
            yield return (start, fields.ToArray());
        }
    }
}
