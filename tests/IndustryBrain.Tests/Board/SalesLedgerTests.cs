using IndustryBrain.Contracts;
using IndustryBrain.Domain;

namespace IndustryBrain.Tests.Board;

public sealed class SalesLedgerTests
{
    private static readonly DateOnly Today = new(2026, 11, 21);

    private static ErpDocument Order(string id, params SalesLine[] lines) => new(ErpKinds.SalesOrder, id, SalesOrder: new SalesOrder("永辉超市", Today, lines));

    private static ErpDocument Ship(string id, string salesOrder, params ShipmentLine[] lines) => new(ErpKinds.Shipment, id, Shipment: new Shipment(salesOrder, null, lines));

    private static ErpResult Apply(SalesLedger ledger, ErpDocument doc) => ledger.Apply(doc, o => o == "QF-1", Today);

    [Fact]
    public void Documents_are_kept_by_id_so_sending_one_again_changes_nothing()
    {
        var ledger = new SalesLedger();
        var order = Order("SO-1", new SalesLine("斩骨刀", 1000, 38.5m, "QF-1"), new SalesLine("菜刀", 200, 20m));

        Assert.Equal(ErpResult.Created, Apply(ledger, order).Outcome);
        Assert.Equal(ErpResult.Unchanged, Apply(ledger, order).Outcome);
        Assert.Equal(ErpResult.Created, Apply(ledger, Ship("SH-1", "SO-1", new ShipmentLine(1, 400))).Outcome);
        Assert.Equal(ErpResult.Unchanged, Apply(ledger, Ship("SH-1", "SO-1", new ShipmentLine(1, 400))).Outcome);
        Assert.Equal(ErpResult.Created, Apply(ledger, new ErpDocument(ErpKinds.Invoice, "INV-1", Invoice: new Invoice("SO-1", null, 15400, 10000))).Outcome);

        var figures = ledger.Figures(Today);
        Assert.Equal((1, 42500m, 15400m, 15400m, 10000m, 42500m), (figures.SalesOrders, figures.OrderedValue, figures.ShippedValue, figures.InvoicedValue, figures.ReceivedValue, figures.OrderedToday));
        Assert.Equal(["永辉超市"], figures.CustomersByOrder["QF-1"]);
    }

    [Fact]
    public void A_shipment_over_what_was_ordered_is_refused_counting_the_lines_other_shipments_and_changes_nothing()
    {
        var ledger = new SalesLedger();
        Apply(ledger, Order("SO-1", new SalesLine("斩骨刀", 1000, 38.5m)));
        Apply(ledger, Ship("SH-1", "SO-1", new ShipmentLine(1, 700)));

        var over = Apply(ledger, Ship("SH-2", "SO-1", new ShipmentLine(1, 301)));
        Assert.Equal((ErpResult.Refused, "shipment-over-ordered"), (over.Outcome, over.Reason));
        Assert.False(ledger.Shipments.ContainsKey("SH-2"));

        // Replacing SH-1 does not count its old quantity against itself.
        Assert.Equal(ErpResult.Replaced, Apply(ledger, Ship("SH-1", "SO-1", new ShipmentLine(1, 1000))).Outcome);
        Assert.Equal("shipment-over-ordered", Apply(ledger, Order("SO-1", new SalesLine("斩骨刀", 999, 38.5m))).Reason);
        Assert.Equal(1000, ledger.SalesOrders["SO-1"].Lines![0].Quantity);
    }

    [Theory]
    [InlineData(0, 1, "invalid-quantity")]
    [InlineData(-5, 1, "invalid-quantity")]
    [InlineData(10, -1, "invalid-field")]
    public void Negative_or_zero_quantities_and_negative_prices_are_refused(long quantity, decimal price, string reason) =>
        Assert.Equal(reason, Apply(new SalesLedger(), Order("SO-1", new SalesLine("刀", quantity, price))).Reason);

    [Fact]
    public void Unknown_production_and_sales_orders_and_negative_or_overpaid_amounts_are_refused()
    {
        var ledger = new SalesLedger();
        Assert.Equal("unknown-order", Apply(ledger, Order("SO-1", new SalesLine("刀", 1, 1, "QF-404"))).Reason);
        Assert.Equal("unknown-sales-order", Apply(ledger, Ship("SH-1", "SO-404", new ShipmentLine(1, 1))).Reason);
        Apply(ledger, Order("SO-1", new SalesLine("刀", 10, 1)));
        Assert.Equal("invalid-field", Apply(ledger, Ship("SH-1", "SO-1", new ShipmentLine(2, 1))).Reason);
        Assert.Equal("invalid-amount", Apply(ledger, new ErpDocument(ErpKinds.Invoice, "I-1", Invoice: new Invoice("SO-1", null, -1, 0))).Reason);
        Assert.Equal("invalid-amount", Apply(ledger, new ErpDocument(ErpKinds.Invoice, "I-1", Invoice: new Invoice("SO-1", null, 10, 11))).Reason);
        Assert.Empty(ledger.Invoices);
        Assert.Empty(ledger.Shipments);
    }
}
