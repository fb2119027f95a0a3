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
    private static readonly TimeSpan SaveAfter = TimeSpan.FromSeconds(2);
    private bool _dirty;
    private IGrainTimer? _save;

    public async Task<string> PrefixFor(string enterprise)
    {
        if (!state.State.Numbers.TryGetValue(enterprise, out var number))
        {
            number = state.State.Numbers.Count == 0 ? 1 : state.State.Numbers.Values.Max() + 1;
            state.State.Numbers[enterprise] = number;
            await Save();
        }

        return PrefixNumbers.Of(options.Value.NodePrefix, number);
    }

    public Task<string?> FindPrefix(string enterprise) => Task.FromResult(
        state.State.Numbers.TryGetValue(enterprise, out var number) ? PrefixNumbers.Of(options.Value.NodePrefix, number) : null);

    /// <summary>
    /// A prefix's latest view. A new prefix or a new state is saved before the reply; changed counts (every
    /// allocation changes them) are saved on a short timer, so a node of thousands of firms is not rewritten per range.
    /// </summary>
    public async Task Report(PrefixView view)
    {
        state.State.Prefixes.TryGetValue(view.Prefix, out var known);
        if (known == view)
        {
            return;
        }

        state.State.Prefixes[view.Prefix] = view;
        if (known is null || known.State != view.State || known.Reason != view.Reason)
        {
            await Save();
            return;
        }

        _dirty = true;
        _save ??= this.RegisterGrainTimer(Save, new GrainTimerCreationOptions(SaveAfter, SaveAfter));
    }

    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken) => _dirty ? Save() : Task.CompletedTask;

    private async Task Save()
    {
        _dirty = false;
        _save?.Dispose();
        _save = null;
        try
        {
            await state.WriteStateAsync();
        }
        catch
        {
            _dirty = true;
            throw;
        }
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
        await Save();
        return published;
    }

    public async Task<byte[]> VerificationKey()
    {
        if (state.State.Key is null)
        {
            state.State.Key = Convert.ToBase64String(VerificationCodes.NewKey());
            await Save();
        }

        return Convert.FromBase64String(state.State.Key);
    }

    private IEnumerable<CodeTemplate> All() => CodeTemplates.Shipped.Concat(state.State.Published)
        .OrderBy(t => t.Id, StringComparer.Ordinal).ThenBy(t => t.Version);
}
