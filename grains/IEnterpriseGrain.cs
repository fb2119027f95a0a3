using IndustryBrain.Contracts;
using Orleans.Concurrency;

namespace IndustryBrain;

/// <summary>One enterprise, key "{enterprise}": profile, order index, today's output, terminals.</summary>
[Alias("ib.IEnterpriseGrain")]
public interface IEnterpriseGrain : IGrainWithStringKey
{
    [Alias("Register")]
    Task<EnterpriseView> Register(EnterpriseProfile profile);

    [Alias("IsRegistered")]
    Task<bool> IsRegistered();

    [Alias("GetView")]
    Task<EnterpriseView> GetView();

    [Alias("ListOrders")]
    Task<OrderSummary[]> ListOrders();

    /// <summary>An order's latest figures; replaces what the enterprise knew of it.</summary>
    [Alias("ReportOrder")]
    Task ReportOrder(OrderSummary summary);

    /// <summary>A closed bundle's record for this participant; one per bundle, so repeating it changes nothing.</summary>
    [Alias("RecordProcurement")]
    Task RecordProcurement(ProcurementRecord record);

    [Alias("UpdateTerminals")]
    Task UpdateTerminals(TerminalStatus[] statuses);

    /// <summary>Sends the enterprise's roll-up to the district now (the district asks once an order's due time has passed).</summary>
    [Alias("RollUp"), OneWay]
    Task RollUp();

    /// <summary>Before its silo stops: tells the district the latest roll-up and saves (see <see cref="IProductionOrderGrain.HandOff"/>).</summary>
    [Alias("HandOff")]
    Task HandOff();
}
