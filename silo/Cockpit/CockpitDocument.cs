using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Unicode;
using IndustryBrain.Contracts;

namespace IndustryBrain.Silo.Cockpit;

/// <summary>GET /api/cockpit and each event of its stream (docs/contract.md, "Cockpit").</summary>
public sealed record CockpitDocument(
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
    IReadOnlyDictionary<string, int> OrdersByStatus,
    ProcurementDocument Procurement,
    ChainDocument Chain,
    Alert[] Alerts,
    int AlertsTotal,
    DailyOutput[] Daily,
    SalesDocument? Sales = null,
    string DailySource = ArchivedTrend.FromGrains,
    string? DailyNote = null)
{
    /// <summary>Web defaults, Chinese names as they are, nulls left out (an alert names an order or a terminal, not both); read strictly.</summary>
    public static readonly JsonSerializerOptions Json = Api.StrictJson.Harden(new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        Encoder = JavaScriptEncoder.Create(UnicodeRanges.All),
    });

    /// <summary>The view with its 30 days as <paramref name="trend"/> has them (past days from the history archive when it can).</summary>
    public static CockpitDocument From(CockpitView view, Trend trend) => From(view) with
    {
        Daily = trend.Daily,
        DailySource = trend.Source,
        DailyNote = trend.Note,
    };

    public static CockpitDocument From(CockpitView view) => new(
        // Milliseconds are enough to tell two views apart.
        new DateTimeOffset(view.AsOf.Ticks - (view.AsOf.Ticks % TimeSpan.TicksPerMillisecond), view.AsOf.Offset),
        view.Version,
        view.Today,
        view.Enterprises,
        view.TerminalsOnline,
        view.TerminalsInFault,
        view.ActiveOrders,
        view.OutputToday,
        view.InProcess,
        view.OutputYesterday,
        view.OrdersByStatus.ToDictionary(),
        new ProcurementDocument(view.Procurement.OpenBundles, view.Procurement.ClosedBundles, view.Procurement.PooledValue,
            view.Procurement.Savings, view.OpenBundles ?? []),
        new ChainDocument(view.ChainName, view.ChainNameEn, view.Nodes, view.Edges),
        view.Alerts,
        view.AlertsTotal,
        view.Daily,
        new SalesDocument(view.SalesValue, view.SalesToday));
}

/// <summary>The district's sales orders from its firms' ERP documents: their value, and the value of those dated today.</summary>
public sealed record SalesDocument(decimal Value, decimal Today);

/// <summary>Pooled procurement's totals and its open bundles, soonest deadline first.</summary>
public sealed record ProcurementDocument(int OpenBundles, int ClosedBundles, decimal PooledValue, decimal Savings, BundleMark[] Bundles);

/// <summary>The chain map with each link's enterprises and output today.</summary>
public sealed record ChainDocument(string? Name, string? NameEn, ChainLinkView[] Nodes, ChainEdge[] Edges);
