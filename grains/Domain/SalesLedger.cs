using IndustryBrain.Contracts;

namespace IndustryBrain.Domain;

/// <summary>
/// A firm's ERP documents: sales orders, shipments and invoices, each kept by its document id, so sending one again
/// changes nothing. A refused document changes nothing either. Refused: negative or zero quantities, negative amounts,
/// a payment over its invoice, a shipment of a line over what was ordered (counting the line's other shipments), a
/// shipment or invoice of an unknown sales order, a line naming a production order the firm does not have, and a
/// sales order replaced below what was already shipped of a line.
/// </summary>
public sealed class SalesLedger
{
    public const int MaxLines = 1_000;
    public const decimal MaxAmount = 100_000_000_000m;

    public Dictionary<string, SalesOrder> SalesOrders { get; init; } = new(StringComparer.Ordinal);
    public Dictionary<string, Shipment> Shipments { get; init; } = new(StringComparer.Ordinal);
    public Dictionary<string, Invoice> Invoices { get; init; } = new(StringComparer.Ordinal);

    /// <summary>Applies one document. <paramref name="knownOrder"/> says whether the firm has a production order; <paramref name="today"/> dates an undated document.</summary>
    public ErpResult Apply(ErpDocument doc, Func<string, bool> knownOrder, DateOnly today)
    {
        if (Ids.Problem(doc.Id, "document id") is { } badId)
        {
            return Refuse(doc, "invalid-id", badId);
        }

        return doc.Kind switch
        {
            ErpKinds.SalesOrder when doc.SalesOrder is { } order => ApplySalesOrder(doc, order, knownOrder, today),
            ErpKinds.Shipment when doc.Shipment is { } shipment => ApplyShipment(doc, shipment, today),
            ErpKinds.Invoice when doc.Invoice is { } invoice => ApplyInvoice(doc, invoice, today),
            _ => Refuse(doc, "invalid-field", $"a {doc.Kind} document needs its body"),
        };
    }

    /// <summary>The firm's sales and finance: orders received and their value, shipped, invoiced and received amounts, and each production order's customers.</summary>
    public SalesFigures Figures(DateOnly today)
    {
        decimal ordered = 0, orderedToday = 0, shipped = 0, invoiced = 0, received = 0;
        var customers = new Dictionary<string, SortedSet<string>>(StringComparer.Ordinal);
        foreach (var order in SalesOrders.Values)
        {
            var value = order.Lines!.Sum(l => l.Quantity * l.UnitPrice);
            ordered += value;
            if (order.Date == today)
            {
                orderedToday += value;
            }

            foreach (var line in order.Lines!)
            {
                if (line.Order is { } made)
                {
                    if (!customers.TryGetValue(made, out var set))
                    {
                        customers[made] = set = new SortedSet<string>(StringComparer.Ordinal);
                    }

                    set.Add(order.Customer!);
                }
            }
        }

        foreach (var shipment in Shipments.Values)
        {
            if (SalesOrders.TryGetValue(shipment.SalesOrder!, out var order))
            {
                shipped += shipment.Lines!.Sum(l => l.Line <= order.Lines!.Length ? l.Quantity * order.Lines[l.Line - 1].UnitPrice : 0);
            }
        }

        foreach (var invoice in Invoices.Values)
        {
            invoiced += invoice.Amount;
            received += invoice.Received;
        }

        return new SalesFigures(SalesOrders.Count, ordered, shipped, invoiced, received, orderedToday,
            customers.ToDictionary(c => c.Key, c => c.Value.ToArray(), StringComparer.Ordinal));
    }

    private ErpResult ApplySalesOrder(ErpDocument doc, SalesOrder order, Func<string, bool> knownOrder, DateOnly today)
    {
        if (string.IsNullOrWhiteSpace(order.Customer) || order.Customer.Trim().Length > 200 || Texts.Problem(order.Customer, "customer") is not null)
        {
            return Refuse(doc, "invalid-field", "customer must be 1 to 200 characters of text");
        }

        if (order.Lines is not { Length: > 0 and <= MaxLines } lines)
        {
            return Refuse(doc, "invalid-field", $"a sales order needs 1 to {MaxLines} lines");
        }

        for (var i = 0; i < lines.Length; i++)
        {
            var line = lines[i];
            if (line is null || line.Quantity <= 0 || line.Quantity > OrderRules.MaxQuantity)
            {
                return Refuse(doc, "invalid-quantity", $"line {i + 1}: quantity must be between 1 and {OrderRules.MaxQuantity}");
            }

            if (line.UnitPrice < 0 || line.UnitPrice > 100_000_000m)
            {
                return Refuse(doc, "invalid-field", $"line {i + 1}: unitPrice must be between 0 and 100000000");
            }

            if (line.Product is { Length: > 200 } || Texts.Problem(line.Product, "product") is not null)
            {
                return Refuse(doc, "invalid-field", $"line {i + 1}: product must be at most 200 characters of text");
            }

            if (line.Order is { } made && (Ids.Problem(made, "order") is not null || !knownOrder(made)))
            {
                return Refuse(doc, "unknown-order", $"line {i + 1}: the firm has no production order '{made}'");
            }
        }

        for (var i = 0; i < lines.Length; i++)
        {
            var shipped = ShippedOf(doc.Id, i + 1, exceptShipment: null);
            if (shipped > lines[i].Quantity)
            {
                return Refuse(doc, "shipment-over-ordered", $"line {i + 1}: {shipped} already shipped, more than the {lines[i].Quantity} ordered");
            }
        }

        if (ShippedOf(doc.Id, lines.Length + 1, null, orBeyond: true) > 0)
        {
            return Refuse(doc, "shipment-over-ordered", "a line that was shipped is missing from the sales order");
        }

        var kept = order with { Customer = order.Customer.Trim(), Date = order.Date ?? today };
        return Keep(SalesOrders, doc, kept, (a, b) => a.Customer == b.Customer && a.Date == b.Date && a.Lines!.SequenceEqual(b.Lines!));
    }

    private ErpResult ApplyShipment(ErpDocument doc, Shipment shipment, DateOnly today)
    {
        if (shipment.SalesOrder is null || !SalesOrders.TryGetValue(shipment.SalesOrder, out var order))
        {
            return Refuse(doc, "unknown-sales-order", $"there is no sales order '{shipment.SalesOrder}'");
        }

        if (shipment.Lines is not { Length: > 0 and <= MaxLines } lines)
        {
            return Refuse(doc, "invalid-field", $"a shipment needs 1 to {MaxLines} lines");
        }

        foreach (var line in lines)
        {
            if (line is null || line.Line < 1 || line.Line > order.Lines!.Length)
            {
                return Refuse(doc, "invalid-field", $"sales order '{shipment.SalesOrder}' has lines 1 to {order.Lines!.Length}");
            }

            if (line.Quantity <= 0)
            {
                return Refuse(doc, "invalid-quantity", $"line {line.Line}: quantity must be positive");
            }
        }

        foreach (var group in lines.GroupBy(l => l.Line))
        {
            var others = ShippedOf(shipment.SalesOrder, group.Key, exceptShipment: doc.Id);
            var ordered = order.Lines![group.Key - 1].Quantity;
            if (others + group.Sum(l => l.Quantity) > ordered)
            {
                return Refuse(doc, "shipment-over-ordered",
                    $"line {group.Key} of '{shipment.SalesOrder}': {others} shipped before and {group.Sum(l => l.Quantity)} now, more than the {ordered} ordered");
            }
        }

        return Keep(Shipments, doc, shipment with { Date = shipment.Date ?? today },
            (a, b) => a.SalesOrder == b.SalesOrder && a.Date == b.Date && a.Lines!.SequenceEqual(b.Lines!));
    }

    private ErpResult ApplyInvoice(ErpDocument doc, Invoice invoice, DateOnly today)
    {
        if (invoice.SalesOrder is null || !SalesOrders.ContainsKey(invoice.SalesOrder))
        {
            return Refuse(doc, "unknown-sales-order", $"there is no sales order '{invoice.SalesOrder}'");
        }

        if (invoice.Amount < 0 || invoice.Amount > MaxAmount || invoice.Received < 0)
        {
            return Refuse(doc, "invalid-amount", "amount and received must not be negative");
        }

        if (invoice.Received > invoice.Amount)
        {
            return Refuse(doc, "invalid-amount", $"received {invoice.Received} is more than the invoice's {invoice.Amount}");
        }

        return Keep(Invoices, doc, invoice with { Date = invoice.Date ?? today }, (a, b) => a == b);
    }

    private long ShippedOf(string salesOrder, int line, string? exceptShipment, bool orBeyond = false)
    {
        long shipped = 0;
        foreach (var (id, shipment) in Shipments)
        {
            if (id == exceptShipment || shipment.SalesOrder != salesOrder)
            {
                continue;
            }

            foreach (var l in shipment.Lines!)
            {
                if (l.Line == line || (orBeyond && l.Line > line))
                {
                    shipped += l.Quantity;
                }
            }
        }

        return shipped;
    }

    private static ErpResult Keep<T>(Dictionary<string, T> documents, ErpDocument doc, T kept, Func<T, T, bool> same)
        where T : class
    {
        if (documents.TryGetValue(doc.Id, out var known))
        {
            if (same(known, kept))
            {
                return new ErpResult(doc.Kind, doc.Id, ErpResult.Unchanged);
            }

            documents[doc.Id] = kept;
            return new ErpResult(doc.Kind, doc.Id, ErpResult.Replaced);
        }

        documents[doc.Id] = kept;
        return new ErpResult(doc.Kind, doc.Id, ErpResult.Created);
    }

    private static ErpResult Refuse(ErpDocument doc, string reason, string detail) => new(doc.Kind, doc.Id ?? "", ErpResult.Refused, reason, detail);
}
