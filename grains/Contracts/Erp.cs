namespace IndustryBrain.Contracts;

/// <summary>One line of a sales order; <c>order</c> names the production order that makes it, if any.</summary>
[GenerateSerializer, Immutable, Alias("ib.SalesLine")]
public sealed record SalesLine(string? Product, long Quantity, decimal UnitPrice, string? Order = null);

/// <summary>A customer's sales order as the firm's ERP sends it.</summary>
[GenerateSerializer, Immutable, Alias("ib.SalesOrder")]
public sealed record SalesOrder(string? Customer, DateOnly? Date, SalesLine[]? Lines);

/// <summary>Quantity shipped of one line (1-based) of a sales order.</summary>
[GenerateSerializer, Immutable, Alias("ib.ShipmentLine")]
public sealed record ShipmentLine(int Line, long Quantity);

[GenerateSerializer, Immutable, Alias("ib.Shipment")]
public sealed record Shipment(string? SalesOrder, DateOnly? Date, ShipmentLine[]? Lines);

/// <summary>An invoice against a sales order: its amount and what the customer has paid of it so far.</summary>
[GenerateSerializer, Immutable, Alias("ib.Invoice")]
public sealed record Invoice(string? SalesOrder, DateOnly? Date, decimal Amount, decimal Received);

/// <summary>What a firm's sales ledger tells the district: the value of its sales orders, and of those dated <c>Date</c>.</summary>
[GenerateSerializer, Immutable, Alias("ib.SalesRollup")]
public sealed record SalesRollup(string Enterprise, decimal OrderedValue, DateOnly Date, decimal OrderedOnDate);

public static class ErpKinds
{
    public const string SalesOrder = "sales-order";
    public const string Shipment = "shipment";
    public const string Invoice = "invoice";
}

/// <summary>One ERP document to apply: exactly one of its bodies, by kind.</summary>
[GenerateSerializer, Immutable, Alias("ib.ErpDocument")]
public sealed record ErpDocument(string Kind, string Id, SalesOrder? SalesOrder = null, Shipment? Shipment = null, Invoice? Invoice = null);

/// <summary>What became of one document: applied (new or changed), unchanged (the same again), or refused with a reason.</summary>
[GenerateSerializer, Immutable, Alias("ib.ErpResult")]
public sealed record ErpResult(string Kind, string Id, string Outcome, string? Reason = null, string? Detail = null)
{
    public const string Created = "created";
    public const string Replaced = "replaced";
    public const string Unchanged = "unchanged";
    public const string Refused = "refused";
}
