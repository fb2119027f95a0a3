using IndustryBrain.Contracts;

namespace IndustryBrain.Silo.Grains;

public sealed class BundleIndexState
{
    public Dictionary<string, string> States { get; set; } = new(StringComparer.Ordinal);
}

/// <summary>The district's bundles by id and state; the views themselves are read from each bundle.</summary>
public sealed class BundleIndexGrain(
    [PersistentState("bundles", StorageNames.Store)] IPersistentState<BundleIndexState> state) : Grain, IBundleIndexGrain
{
    public async Task Update(BundleView view)
    {
        if (state.State.States.TryGetValue(view.Bundle, out var known) && known == view.State)
        {
            return;
        }

        state.State.States[view.Bundle] = view.State;
        await state.WriteStateAsync();
    }

    public async Task<BundleView[]> List()
    {
        var views = await Task.WhenAll(state.State.States.Keys.Select(id => GrainFactory.GetGrain<IBundleGrain>(id).Get()));
        return views.OfType<BundleView>()
            .OrderBy(v => v.State == BundleStates.Open ? 0 : 1)
            .ThenBy(v => v.State == BundleStates.Open ? v.ClosesAt.UtcTicks : -(v.ClosedAt ?? v.ClosesAt).UtcTicks)
            .ThenBy(v => v.Bundle, StringComparer.Ordinal)
            .ToArray();
    }
}
