using IndustryBrain.Contracts;

namespace IndustryBrain;

/// <summary>
/// The district (key <see cref="Keys.District"/>): roll-ups of its enterprises and bundles, the chain map,
/// and the cockpit view built from them. It hears from enterprises when their figures change, about once
/// a second, never a raw reading.
/// </summary>
[Alias("ib.IDistrictGrain")]
public interface IDistrictGrain : IGrainWithStringKey
{
    /// <summary>An enterprise's latest figures; replaces what the district knew of it.</summary>
    [Alias("ReportEnterprise")]
    Task ReportEnterprise(EnterpriseRollup rollup);

    /// <summary>A bundle's latest figures; replaces what the district knew of it.</summary>
    [Alias("ReportBundle")]
    Task ReportBundle(BundleRollup rollup);

    /// <summary>A firm's OEE today, from its dispatch board (replacing what the district knew of it).</summary>
    [Alias("ReportOee")]
    Task ReportOee(FirmOee oee);

    /// <summary>A firm's sales orders as its ERP documents stand (replacing what the district knew of them).</summary>
    [Alias("ReportSales")]
    Task ReportSales(SalesRollup sales);

    /// <summary>
    /// District output recorded before the brain counted it (for example from the statistics bureau), per
    /// day before today; added to what the enterprises report. A day sent again replaces the recorded one.
    /// </summary>
    [Alias("RecordHistory")]
    Task RecordHistory(DailyOutput[] days);

    /// <summary>
    /// An enterprise prefix's scans of today when some were suspect (forged or never issued codes); replaces what
    /// the district knew of that prefix. The cockpit names them as counterfeit alerts. Never a scan itself.
    /// </summary>
    [Alias("ReportCodeScans")]
    Task ReportCodeScans(CodeScanRollup rollup);

    [Alias("GetCockpit")]
    Task<CockpitView> GetCockpit();

    /// <summary>The district's enterprises by id, a page at a time (GET /api/enterprises).</summary>
    [Alias("ListEnterprises")]
    Task<EnterprisePage> ListEnterprises(EnterpriseQuery query);

    /// <summary>The enterprises whose orders may answer an order list (GET /api/orders), by id.</summary>
    [Alias("OrderHolders")]
    Task<List<OrderHolder>> OrderHolders(OrderHolderQuery query);

    [Alias("GetChain")]
    Task<ChainMap> GetChain();

    /// <summary>Replaces the chain map (kept across restarts); null goes back to the configured one.</summary>
    [Alias("SetChain")]
    Task<ChainMap> SetChain(ChainMap? map);
}
