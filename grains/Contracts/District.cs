using System.Text.Json.Serialization;

namespace IndustryBrain.Contracts;

/// <summary>How many orders are in each status (docs/contract.md, "Orders").</summary>
[GenerateSerializer, Immutable, Alias("ib.StatusCounts")]
public sealed record StatusCounts(int Unplanned, int OnTrack, int AtRisk, int Late, int Done)
{
    public static readonly StatusCounts Zero = new(0, 0, 0, 0, 0);

    public int Total => Unplanned + OnTrack + AtRisk + Late + Done;

    /// <summary>Orders not done: unplanned ones included, as the enterprise view counts them.</summary>
    public int Active => Total - Done;

    public StatusCounts Add(StatusCounts other) =>
        new(Unplanned + other.Unplanned, OnTrack + other.OnTrack, AtRisk + other.AtRisk, Late + other.Late, Done + other.Done);

    public StatusCounts Subtract(StatusCounts other) =>
        new(Unplanned - other.Unplanned, OnTrack - other.OnTrack, AtRisk - other.AtRisk, Late - other.Late, Done - other.Done);

    public StatusCounts With(string status, int delta) => status switch
    {
        OrderStatuses.Unplanned => this with { Unplanned = Unplanned + delta },
        OrderStatuses.OnTrack => this with { OnTrack = OnTrack + delta },
        OrderStatuses.AtRisk => this with { AtRisk = AtRisk + delta },
        OrderStatuses.Late => this with { Late = Late + delta },
        OrderStatuses.Done => this with { Done = Done + delta },
        _ => throw new ArgumentOutOfRangeException(nameof(status), status, "not an order status"),
    };

    /// <summary>The contract's <c>ordersByStatus</c> object, every status present.</summary>
    public IReadOnlyDictionary<string, int> ToDictionary() => new Dictionary<string, int>(StringComparer.Ordinal)
    {
        [OrderStatuses.Unplanned] = Unplanned,
        [OrderStatuses.OnTrack] = OnTrack,
        [OrderStatuses.AtRisk] = AtRisk,
        [OrderStatuses.Late] = Late,
        [OrderStatuses.Done] = Done,
    };
}

/// <summary>A late or at-risk order the cockpit names.</summary>
[GenerateSerializer, Immutable, Alias("ib.OrderMark")]
public sealed record OrderMark(string Order, string Status, DateTimeOffset? Due, string? Product, double Progress);

/// <summary>A terminal in fault, with its fault code and the time of the status that said so.</summary>
[GenerateSerializer, Immutable, Alias("ib.FaultMark")]
public sealed record FaultMark(string Terminal, string? Fault, DateTimeOffset Since);

/// <summary>
/// What an enterprise tells the district: its latest figures, replacing the previous ones, so sending
/// the same roll-up twice changes nothing. The district never sees a reading.
/// </summary>
[GenerateSerializer, Immutable, Alias("ib.EnterpriseRollup")]
public sealed record EnterpriseRollup(
    string Enterprise,
    string? Name,
    string? ChainNode,
    bool Registered,
    DailyOutput[] Daily,
    StatusCounts Orders,
    DateTimeOffset? NextDue,
    OrderMark[] Watch,
    int TerminalsOnline,
    int TerminalsInFault,
    FaultMark[] Faults,
    DateTimeOffset AsOf,
    long InProcess = 0)
{
    /// <summary>The same figures, whatever the time each was taken.</summary>
    public bool SameFiguresAs(EnterpriseRollup other) =>
        Enterprise == other.Enterprise && Name == other.Name && ChainNode == other.ChainNode && Registered == other.Registered
        && Orders == other.Orders && NextDue == other.NextDue && InProcess == other.InProcess
        && TerminalsOnline == other.TerminalsOnline && TerminalsInFault == other.TerminalsInFault
        && Daily.AsSpan().SequenceEqual(other.Daily) && Watch.AsSpan().SequenceEqual(other.Watch) && Faults.AsSpan().SequenceEqual(other.Faults);
}

/// <summary>
/// A pooled-procurement bundle's latest figures as the bundle tells the district on every change.
/// While open, <see cref="UnitPrice"/>, <see cref="PooledValue"/> and <see cref="Savings"/> are what the
/// bundle would give if it closed now.
/// </summary>
[GenerateSerializer, Immutable, Alias("ib.BundleRollup")]
public sealed record BundleRollup(
    string Bundle,
    string State,
    string Material,
    decimal TotalQuantity,
    decimal UnitPrice,
    decimal PooledValue,
    decimal Savings,
    DateTimeOffset ClosesAt,
    string? Unit = null,
    decimal MinQuantity = 0,
    decimal ListPrice = 0,
    Tier[]? Tiers = null);

/// <summary>An open bundle as the cockpit lists it: its deadline, its total against the minimum and its tiers.</summary>
[GenerateSerializer, Immutable, Alias("ib.BundleMark")]
public sealed record BundleMark(
    string Bundle,
    string Material,
    string? Unit,
    DateTimeOffset ClosesAt,
    decimal TotalQuantity,
    decimal MinQuantity,
    decimal[] TierQuantities,
    int TiersReached,
    decimal UnitPrice,
    decimal ListPrice);

/// <summary>One link of the industry chain (a node of the chain map): raw material, a trade, a sales channel.</summary>
[GenerateSerializer, Immutable, Alias("ib.ChainLink")]
public sealed record ChainLink(string Id, string Name, string? NameEn, string Stage);

/// <summary>Goods flow from one link of the chain to another.</summary>
[GenerateSerializer, Immutable, Alias("ib.ChainEdge")]
public sealed record ChainEdge(string From, string To);

/// <summary>A district's industry chain map: data, not code, so a district can load its own.</summary>
[GenerateSerializer, Immutable, Alias("ib.ChainMap")]
public sealed record ChainMap(string? Name, string? NameEn, ChainLink[] Nodes, ChainEdge[] Edges);

public static class ChainStages
{
    public const string Upstream = "upstream";
    public const string Midstream = "midstream";
    public const string Downstream = "downstream";

    /// <summary>Where enterprises whose chain node is missing or not on the map are counted.</summary>
    public const string Other = "other";

    public static bool IsKnown(string? stage) => stage is Upstream or Midstream or Downstream;
}

/// <summary>A link of the chain map with the enterprises registered on it and their output today.</summary>
[GenerateSerializer, Immutable, Alias("ib.ChainLinkView")]
public sealed record ChainLinkView(string Id, string Name, string? NameEn, string Stage, int Enterprises, long OutputToday, decimal ValueToday,
    OeeFigures? Oee = null);

/// <summary>A firm's OEE today as its dispatch board sums it (ISO 22400 sums, so a chain node adds its firms up).</summary>
[GenerateSerializer, Immutable, Alias("ib.FirmOee")]
public sealed record FirmOee(string Enterprise, DateOnly Date, OeeFigures Oee, DateTimeOffset AsOf);

public static class AlertKinds
{
    public const string OrderLate = "order-late";
    public const string TerminalFault = "terminal-fault";
    public const string OrderAtRisk = "order-at-risk";

    /// <summary>Scans today of codes the node never issued (a forged verification code, a serial outside every range).</summary>
    public const string CounterfeitScans = "counterfeit-scans";
}

/// <summary>Something an official should look at: a late or at-risk order, or a terminal in fault.</summary>
[GenerateSerializer, Immutable, Alias("ib.Alert")]
public sealed record Alert(
    string Kind,
    string Enterprise,
    string? EnterpriseName,
    string? Order,
    string? Product,
    DateTimeOffset? Due,
    double? Progress,
    string? Terminal,
    string? Fault,
    DateTimeOffset? Since,
    long? Scans = null,
    long? Suspect = null,
    string? Code = null);

/// <summary>Pooled procurement across the district's bundles.</summary>
[GenerateSerializer, Immutable, Alias("ib.ProcurementFigures")]
public sealed record ProcurementFigures(int OpenBundles, int ClosedBundles, decimal PooledValue, decimal Savings, BundleMark[]? Bundles = null);

/// <summary>The chain map with each link's enterprises and output today.</summary>
[GenerateSerializer, Immutable, Alias("ib.ChainView")]
public sealed record ChainView(string? Name, string? NameEn, ChainLinkView[] Nodes, ChainEdge[] Edges);

/// <summary>The district's sales orders from its firms' ERP documents: their value, and the value of those dated today.</summary>
[GenerateSerializer, Immutable, Alias("ib.DistrictSales")]
public sealed record DistrictSales(decimal Value, decimal Today);

/// <summary>
/// The district cockpit, as the district grain answers it and as GET /api/cockpit and each event of its stream show it
/// (docs/contract.md, "Cockpit"; the JSON in this order): totals, the chain map, alerts and the last 30 days
/// (<see cref="Daily"/>: what the enterprises reported plus what was recorded, or the history archive's past days with
/// <see cref="DailySource"/> saying which; <see cref="Recorded"/>: the recorded part of those days alone, not shown).
/// </summary>
[GenerateSerializer, Immutable, Alias("ib.CockpitView")]
public sealed record CockpitView(
    DateTimeOffset AsOf,
    long Version,
    DateOnly Today,
    int Enterprises,
    int TerminalsOnline,
    int TerminalsInFault,
    int ActiveOrders,
    Output OutputToday,
    long InProcess,
    Output OutputYesterday,
    [property: JsonConverter(typeof(StatusCountsAsObject))] StatusCounts OrdersByStatus,
    ProcurementFigures Procurement,
    ChainView Chain,
    Alert[] Alerts,
    int AlertsTotal,
    DailyOutput[] Daily,
    DistrictSales? Sales = null,
    string DailySource = CockpitView.FromGrains,
    string? DailyNote = null,
    [property: JsonIgnore] DailyOutput[]? Recorded = null)
{
    /// <summary>The <see cref="DailySource"/> of days as the enterprises reported them to the district.</summary>
    public const string FromGrains = "grains";
}
