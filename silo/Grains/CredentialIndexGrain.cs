namespace IndustryBrain.Silo.Grains;

/// <summary>What the credential index keeps in storage.</summary>
public sealed class CredentialIndexState
{
    public HashSet<string> Enterprises { get; set; } = new(StringComparer.Ordinal);
}

/// <summary>The enterprises holding terminal credentials; saved before every reply that changed them.</summary>
public sealed class CredentialIndexGrain(
    [PersistentState("credential-index", StorageNames.Store)] IPersistentState<CredentialIndexState> state)
    : Grain, ICredentialIndexGrain
{
    public async Task Add(string enterprise)
    {
        if (state.State.Enterprises.Add(enterprise))
        {
            await state.WriteStateAsync();
        }
    }

    public async Task Remove(string enterprise)
    {
        if (state.State.Enterprises.Remove(enterprise))
        {
            await state.WriteStateAsync();
        }
    }

    public Task<string[]> Enterprises() => Task.FromResult(state.State.Enterprises.Order(StringComparer.Ordinal).ToArray());
}
