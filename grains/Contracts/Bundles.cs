namespace IndustryBrain.Contracts;

/// <summary>A volume price: from this total quantity on, every participant pays this unit price.</summary>
[GenerateSerializer, Immutable, Alias("ib.Tier")]
public sealed record Tier(decimal MinQuantity, decimal UnitPrice);

/// <summary>A supplier's offer as the organiser opens it (docs/contract.md, "Pooled procurement").</summary>
[GenerateSerializer, Immutable, Alias("ib.BundleTerms")]
public sealed record BundleTerms(
    string Material,
    string Unit,
    string? Supplier,
    decimal ListPrice,
    Tier[] Tiers,
    decimal MinQuantity,
    DateTimeOffset ClosesAt);

public static class BundleStates
{
    public const string Open = "open";
    public const string Closed = "closed";
    public const string Failed = "failed";
    public const string Cancelled = "cancelled";
}

/// <summary>One firm's pledge with what it pays and saves at the bundle's (current or final) unit price.</summary>
[GenerateSerializer, Immutable, Alias("ib.PledgeView")]
public sealed record PledgeView(string Enterprise, decimal Quantity, decimal Cost, decimal Savings, DateTimeOffset PledgedAt);

[GenerateSerializer, Immutable, Alias("ib.BundleView")]
public sealed record BundleView(
    string Bundle,
    string State,
    string Material,
    string Unit,
    string? Supplier,
    decimal ListPrice,
    Tier[] Tiers,
    decimal MinQuantity,
    DateTimeOffset ClosesAt,
    DateTimeOffset? ClosedAt,
    decimal TotalQuantity,
    int? TierReached,
    decimal UnitPrice,
    decimal PooledValue,
    decimal Savings,
    int Participants,
    PledgeView[] Pledges);

/// <summary>A bundle's answer to a request: its view, or why the request was refused (nothing changed then).</summary>
[GenerateSerializer, Immutable, Alias("ib.BundleOutcome")]
public sealed record BundleOutcome(BundleView? View, string? Reason, string? Detail, bool Created = false)
{
    public static BundleOutcome Refused(string reason, string detail) => new(null, reason, detail);
}

/// <summary>What a participant keeps of a bundle that closed: the district's procurement history per firm.</summary>
[GenerateSerializer, Immutable, Alias("ib.ProcurementRecord")]
public sealed record ProcurementRecord(
    string Bundle,
    string Material,
    string Unit,
    decimal Quantity,
    decimal UnitPrice,
    decimal ListPrice,
    decimal Cost,
    decimal Savings,
    DateTimeOffset ClosedAt);
