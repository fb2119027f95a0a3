using IndustryBrain.Contracts;

namespace IndustryBrain;

/// <summary>A batch of readings for one order; never mutated once sent.</summary>
[GenerateSerializer, Immutable, Alias("ib.ReadingBatch")]
public sealed record ReadingBatch(Reading[] Readings);

/// <summary>One production order, key "{enterprise}/{order}": plan, kept readings, progress, ETA and status.</summary>
[Alias("ib.IProductionOrderGrain")]
public interface IProductionOrderGrain : IGrainWithStringKey
{
    [Alias("Apply")]
    Task<ApplyOutcome> Apply(ReadingBatch batch);

    [Alias("Plan")]
    Task<OrderProgress> Plan(OrderPlan plan);

    [Alias("GetProgress")]
    Task<OrderProgress> GetProgress();

    /// <summary>
    /// Before its silo stops: tells the enterprise the latest figures and saves, while every grain can still
    /// be reached (a grain deactivated by the stop itself only saves).
    /// </summary>
    [Alias("HandOff")]
    Task HandOff();
}
