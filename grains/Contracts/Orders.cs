namespace IndustryBrain.Contracts;

/// <summary>
/// One step of an order's routing; weight is its share of the work (default equal shares); idealRatePerHour is
/// the pieces an hour a terminal makes at this step at its ideal cycle time (ISO 22400), for OEE's performance.
/// </summary>
[GenerateSerializer, Immutable, Alias("ib.RoutingStep")]
public sealed record RoutingStep(string Step, string? Name, double? Weight, double? IdealRatePerHour = null);

/// <summary>An order's plan as the ERP sends it.</summary>
[GenerateSerializer, Immutable, Alias("ib.OrderPlan")]
public sealed record OrderPlan(string Product, long Quantity, decimal UnitPrice, DateTimeOffset Due, RoutingStep[] Routing);

public static class OrderStatuses
{
    public const string Unplanned = "unplanned";
    public const string OnTrack = "on-track";
    public const string AtRisk = "at-risk";
    public const string Late = "late";
    public const string Done = "done";

    public static readonly string[] All = [Unplanned, OnTrack, AtRisk, Late, Done];
}

[GenerateSerializer, Immutable, Alias("ib.StepProgress")]
public sealed record StepProgress(string Step, string? Name, double Weight, long Good, long Scrap, double Progress, int Terminals,
    DateTimeOffset? FirstAt = null, DateTimeOffset? LastAt = null);

/// <summary>An order's progress as the HTTP API answers it.</summary>
[GenerateSerializer, Immutable, Alias("ib.OrderProgress")]
public sealed record OrderProgress(
    string Enterprise,
    string Order,
    string Status,
    string? Product,
    long? Quantity,
    decimal? UnitPrice,
    DateTimeOffset? Due,
    double Progress,
    long Completed,
    decimal OutputValue,
    DateTimeOffset? Eta,
    DateTimeOffset? LastReadingAt,
    StepProgress[] Steps);

/// <summary>What an order tells its enterprise: the latest figures, replacing the previous ones (idempotent).</summary>
[GenerateSerializer, Immutable, Alias("ib.OrderSummary")]
public sealed record OrderSummary(
    string Order,
    string Status,
    string? Product,
    long? Quantity,
    decimal UnitPrice,
    DateTimeOffset? Due,
    double Progress,
    long Completed,
    DateTimeOffset? Eta,
    DateTimeOffset AsOf,
    long InProcess = 0);
