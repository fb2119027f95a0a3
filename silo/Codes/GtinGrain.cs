using IndustryBrain.Silo.Grains;

namespace IndustryBrain.Silo.Codes;

public sealed class GtinState
{
    public string? Prefix { get; set; }
}

/// <summary>A GTIN and the enterprise prefix that registered it; the first claim holds.</summary>
public sealed class GtinGrain([PersistentState("gtin", StorageNames.Store)] IPersistentState<GtinState> state) : Grain, IGtinGrain
{
    public async Task<string> Claim(string prefix)
    {
        if (state.State.Prefix is null)
        {
            state.State.Prefix = prefix;
            await state.WriteStateAsync();
        }

        return state.State.Prefix;
    }

    public Task<string?> Owner() => Task.FromResult(state.State.Prefix);
}
