using IndustryBrain.Contracts;
using IndustryBrain.Domain;

namespace IndustryBrain.Silo.Grains;

/// <summary>
/// One firm's ERP documents (<see cref="SalesLedger"/>). Documents are saved before the reply; the firm's board hears
/// the new figures after each change.
/// </summary>
public sealed class SalesLedgerGrain(
    [PersistentState("sales", StorageNames.Store)] IPersistentState<SalesLedger> state,
    DistrictCalendar calendar,
    TimeProvider time) : Grain, ISalesLedgerGrain
{
    public async Task<ErpResult[]> Apply(ErpDocument[] documents)
    {
        var enterprise = this.GetPrimaryKeyString();
        HashSet<string>? orders = null;
        if (documents.Any(d => d.SalesOrder?.Lines?.Any(l => l?.Order is not null) == true))
        {
            orders = [.. (await GrainFactory.GetGrain<IEnterpriseGrain>(enterprise).ListOrders()).Select(o => o.Order)];
        }

        var today = calendar.DateOf(time.GetUtcNow());
        var results = new ErpResult[documents.Length];
        var changed = false;
        for (var i = 0; i < documents.Length; i++)
        {
            results[i] = state.State.Apply(documents[i], order => orders?.Contains(order) == true, today);
            changed |= results[i].Outcome is ErpResult.Created or ErpResult.Replaced;
        }

        if (changed)
        {
            await state.WriteStateAsync();
            var figures = state.State.Figures(today);
            await Task.WhenAll(
                GrainFactory.GetGrain<IBoardGrain>(enterprise).ReportSales(figures),
                GrainFactory.GetGrain<IDistrictGrain>(Keys.District).ReportSales(new SalesRollup(enterprise, figures.OrderedValue, today, figures.OrderedToday)));
        }

        return results;
    }

    public Task<SalesFigures> GetFigures() => Task.FromResult(state.State.Figures(calendar.DateOf(time.GetUtcNow())));
}
