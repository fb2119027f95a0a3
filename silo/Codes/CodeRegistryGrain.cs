using IndustryBrain.Codes;
using IndustryBrain.Contracts;
using IndustryBrain.Silo.Grains;
using Microsoft.Extensions.Options;

namespace IndustryBrain.Silo.Codes;

/// <summary>What the node's registry keeps.</summary>
public sealed class CodeRegistryState
{
    public Dictionary<string, int> Numbers { get; set; } = new(StringComparer.Ordinal);
    public Dictionary<string, PrefixView> Prefixes { get; set; } = new(StringComparer.Ordinal);
    public List<CodeTemplate> Published { get; set; } = [];

    /// <summary>The verification codes' key, base64; a secret, never shown.</summary>
    public string? Key { get; set; }
}

/// <summary>
/// The node's registry: numbers enterprise prefixes, lists them, keeps the data templates' versions (the
/// shipped ones first) and the verification key. Everything it changes is saved before it answers.
/// </summary>
public sealed class CodeRegistryGrain(
    [PersistentState("codes", StorageNames.Store)] IPersistentState<CodeRegistryState> state,
    IOptions<CodeOptions> options) : Grain, ICodeRegistryGrain
{
    public async Task<string> PrefixFor(string enterprise)
    {
        if (!state.State.Numbers.TryGetValue(enterprise, out var number))
        {
            number = state.State.Numbers.Count == 0 ? 1 : state.State.Numbers.Values.Max() + 1;
            state.State.Numbers[enterprise] = number;
            await state.WriteStateAsync();
        }

        return PrefixNumbers.Of(options.Value.NodePrefix, number);
    }

    public Task<string?> FindPrefix(string enterprise) => Task.FromResult(
        state.State.Numbers.TryGetValue(enterprise, out var number) ? PrefixNumbers.Of(options.Value.NodePrefix, number) : null);

    public async Task Report(PrefixView view)
    {
        if (state.State.Prefixes.TryGetValue(view.Prefix, out var known) && known == view)
        {
            return;
        }

        state.State.Prefixes[view.Prefix] = view;
        await state.WriteStateAsync();
    }

    public Task<PrefixView[]> Prefixes() => Task.FromResult(state.State.Prefixes.Values
        .OrderBy(p => p.Prefix.Length).ThenBy(p => p.Prefix, StringComparer.Ordinal).ToArray());

    public Task<CodeTemplate[]> Templates() => Task.FromResult(All().ToArray());

    public Task<CodeTemplate?> Template(string id, int? version) => Task.FromResult(All()
        .Where(t => t.Id == id && (version is null || t.Version == version))
        .MaxBy(t => t.Version));

    public async Task<CodeTemplate> Publish(CodeTemplate template)
    {
        if (CodeTemplates.TemplateProblem(template) is { } problem)
        {
            throw new ArgumentException(problem, nameof(template));
        }

        var latest = All().Where(t => t.Id == template.Id).Select(t => t.Version).DefaultIfEmpty(0).Max();
        var published = template with { Version = latest + 1 };
        state.State.Published.Add(published);
        await state.WriteStateAsync();
        return published;
    }

    public async Task<byte[]> VerificationKey()
    {
        if (state.State.Key is null)
        {
            state.State.Key = Convert.ToBase64String(VerificationCodes.NewKey());
            await state.WriteStateAsync();
        }

        return Convert.FromBase64String(state.State.Key);
    }

    private IEnumerable<CodeTemplate> All() => CodeTemplates.Shipped.Concat(state.State.Published)
        .OrderBy(t => t.Id, StringComparer.Ordinal).ThenBy(t => t.Version);
}
