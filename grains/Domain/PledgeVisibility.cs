using IndustryBrain.Contracts;

namespace IndustryBrain.Domain;

/// <summary>
/// Who sees whose pledge. A bundle is public within the district: every firm sees its terms, total, tier
/// reached, unit price, pooled value, savings in all and number of participants, so it can decide whether to
/// join. Who pledged what is not public: a firm sees its own pledge only; administrators and officials see all.
/// </summary>
public static class PledgeVisibility
{
    /// <param name="view">The whole bundle.</param>
    /// <param name="ownPledgesOf">The enterprise whose pledge the caller may see; null for a caller who sees every pledge.</param>
    public static BundleView SeenBy(BundleView view, string? ownPledgesOf) =>
        ownPledgesOf is null ? view : view with { Pledges = [.. view.Pledges.Where(p => p.Enterprise == ownPledgesOf)] };
}
