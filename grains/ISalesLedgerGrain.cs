using IndustryBrain.Contracts;

namespace IndustryBrain;

/// <summary>A firm's ERP documents (sales orders, shipments, invoices), key "{enterprise}".</summary>
[Alias("ib.ISalesLedgerGrain")]
public interface ISalesLedgerGrain : IGrainWithStringKey
{
    /// <summary>Applies documents in the order given, each on its own (a refused one changes nothing); saved before the reply.</summary>
    [Alias("Apply")]
    Task<ErpResult[]> Apply(ErpDocument[] documents);

    [Alias("GetFigures")]
    Task<SalesFigures> GetFigures();
}
