using IndustryBrain.Contracts;

namespace IndustryBrain;

/// <summary>One pooled-procurement bundle, key "{bundle}": terms, pledges, deadline that survives restarts.</summary>
[Alias("ib.IBundleGrain")]
public interface IBundleGrain : IGrainWithStringKey
{
    [Alias("Open")]
    Task<BundleOutcome> Open(BundleTerms terms);

    [Alias("Pledge")]
    Task<BundleOutcome> Pledge(string enterprise, decimal quantity);

    [Alias("Withdraw")]
    Task<BundleOutcome> Withdraw(string enterprise);

    /// <summary>Closes now, before the deadline: closed when the minimum is reached, otherwise failed.</summary>
    [Alias("Close")]
    Task<BundleOutcome> Close();

    [Alias("Cancel")]
    Task<BundleOutcome> Cancel();

    /// <summary>The bundle's view, or null when no bundle of this id was ever opened.</summary>
    [Alias("Get")]
    Task<BundleView?> Get();
}

/// <summary>The district's list of bundles (key <see cref="Keys.District"/>), each with its latest view.</summary>
[Alias("ib.IBundleIndexGrain")]
public interface IBundleIndexGrain : IGrainWithStringKey
{
    [Alias("Update")]
    Task Update(BundleView view);

    [Alias("List")]
    Task<BundleView[]> List();
}
