using IndustryBrain.Contracts;

namespace IndustryBrain.Silo.Grains;

/// <summary>What an enterprise's terminal credentials keep in storage.</summary>
public sealed class TerminalCredentialsState
{
    public Dictionary<string, TerminalCredential> Terminals { get; set; } = new(StringComparer.Ordinal);
}

/// <summary>One enterprise's terminal credentials; saved before every reply that changed them.</summary>
public sealed class TerminalCredentialsGrain(
    [PersistentState("credentials", StorageNames.Store)] IPersistentState<TerminalCredentialsState> state)
    : Grain, ITerminalCredentialsGrain
{
    private Dictionary<string, TerminalCredential> Terminals => state.State.Terminals;

    public async Task<bool> Issue(TerminalCredential credential)
    {
        var existed = Terminals.ContainsKey(credential.Terminal);
        if (Terminals.Count == 0)
        {
            await GrainFactory.GetGrain<ICredentialIndexGrain>(Keys.District).Add(this.GetPrimaryKeyString());
        }

        Terminals[credential.Terminal] = credential;
        await state.WriteStateAsync();
        return existed;
    }

    public async Task<bool[]> IssueMany(TerminalCredential[] credentials)
    {
        if (credentials.Length == 0)
        {
            return [];
        }

        if (Terminals.Count == 0)
        {
            await GrainFactory.GetGrain<ICredentialIndexGrain>(Keys.District).Add(this.GetPrimaryKeyString());
        }

        var existed = new bool[credentials.Length];
        for (var i = 0; i < credentials.Length; i++)
        {
            existed[i] = Terminals.ContainsKey(credentials[i].Terminal);
            Terminals[credentials[i].Terminal] = credentials[i];
        }

        await state.WriteStateAsync();
        return existed;
    }

    public async Task<bool> Revoke(string terminal)
    {
        if (!Terminals.Remove(terminal))
        {
            return false;
        }

        await state.WriteStateAsync();
        if (Terminals.Count == 0)
        {
            await GrainFactory.GetGrain<ICredentialIndexGrain>(Keys.District).Remove(this.GetPrimaryKeyString());
        }

        return true;
    }

    public Task<TerminalCredential?> Find(string terminal) => Task.FromResult(Terminals.GetValueOrDefault(terminal));

    public Task<TerminalCredential[]> List() =>
        Task.FromResult(Terminals.Values.OrderBy(t => t.Terminal, StringComparer.Ordinal).ToArray());
}
