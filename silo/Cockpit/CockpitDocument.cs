using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Unicode;
using IndustryBrain.Contracts;

namespace IndustryBrain.Silo.Cockpit;

/// <summary>
/// GET /api/cockpit and each event of its stream (docs/contract.md, "Cockpit"): the district's <see cref="CockpitView"/>
/// with its 30 days as the history archive has them, in the pages' JSON.
/// </summary>
public static class CockpitDocument
{
    /// <summary>Web defaults, Chinese names as they are, nulls left out (an alert names an order or a terminal, not both); read strictly.</summary>
    public static readonly JsonSerializerOptions Json = Api.StrictJson.Harden(new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        Encoder = JavaScriptEncoder.Create(UnicodeRanges.All),
    });

    /// <summary>The view with its 30 days as <paramref name="trend"/> has them (past days from the history archive when it can).</summary>
    public static CockpitView From(CockpitView view, Trend trend) => view with
    {
        // Milliseconds are enough to tell two views apart.
        AsOf = new DateTimeOffset(view.AsOf.Ticks - (view.AsOf.Ticks % TimeSpan.TicksPerMillisecond), view.AsOf.Offset),
        Procurement = view.Procurement with { Bundles = view.Procurement.Bundles ?? [] },
        Sales = view.Sales ?? new DistrictSales(0, 0),
        Daily = trend.Daily,
        DailySource = trend.Source,
        DailyNote = trend.Note,
    };
}
