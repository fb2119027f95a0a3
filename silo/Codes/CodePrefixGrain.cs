using IndustryBrain.Codes;
using IndustryBrain.Contracts;
using IndustryBrain.Domain;
using IndustryBrain.Silo.Grains;

namespace IndustryBrain.Silo.Codes;

/// <summary>
/// What an enterprise prefix keeps: its state, its product catalogue (each description once, however many ranges
/// refer to it), which orders have codes and how many ranges and codes in all (the ranges are its orders' grains'
/// own, a few dozen bytes each), and its scan counts per day.
/// </summary>
public sealed class CodePrefixState
{
    public string? Enterprise { get; set; }
    public string State { get; set; } = PrefixStates.Applied;
    public string? Reason { get; set; }
    public DateTimeOffset AppliedAt { get; set; }
    public DateTimeOffset? DecidedAt { get; set; }
    public List<CodeProduct> Products { get; set; } = [];
    public List<string> Orders { get; set; } = [];
    public int RangeCount { get; set; }
    public long CodeCount { get; set; }

    /// <summary>As stored before December 2026: every range a second time. Folded into the counts at activation.</summary>
    public List<CodeRange>? Ranges { get; set; }

    public List<ScanDay> Days { get; set; } = [];

    /// <summary>The catalogue's entry describing <paramref name="product"/>, added when new (answers whether it was).</summary>
    public (int Index, bool Added) Catalogue(CodeProduct product)
    {
        var index = Products.FindIndex(p => p.Describes(product));
        if (index >= 0)
        {
            return (index, false);
        }

        Products.Add(product);
        return (Products.Count - 1, true);
    }

    /// <summary>Counts an allocated range of <paramref name="order"/>.</summary>
    public void Count(string order, long codes)
    {
        if (!Orders.Contains(order))
        {
            Orders.Add(order);
        }

        RangeCount++;
        CodeCount += codes;
    }

    /// <summary>Folds a state stored before the orders were counted: answers whether there was anything to fold.</summary>
    public bool FoldRanges()
    {
        if (Ranges is not { Count: > 0 } ranges)
        {
            Ranges = null;
            return false;
        }

        foreach (var range in ranges)
        {
            Count(range.Order, range.Count);
        }

        Ranges = null;
        return true;
    }
}

/// <summary>
/// One enterprise prefix. Decisions and allocations are saved before the reply; scan counts (from the ranges'
/// grains, about once a second each) are saved on a short timer, which also tells the district about suspect
/// scans of today.
/// </summary>
public sealed class CodePrefixGrain(
    [PersistentState("prefix", StorageNames.Store)] IPersistentState<CodePrefixState> state,
    DistrictCalendar calendar,
    PrefixViews kept,
    TimeProvider time) : Grain, ICodePrefixGrain
{
    public const string Approve = "approve";
    public const string Refuse = "refuse";
    public const string Suspend = "suspend";
    private static readonly TimeSpan FlushEvery = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan FirstFlushAfter = TimeSpan.FromMilliseconds(50);
    private ScanDays _days = new();
    private FlushTimer _flush = null!;
    private bool _dirty;
    private ScanDay? _told;
    private PrefixView? _view;

    private string Prefix => this.GetPrimaryKeyString();

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        _flush = new FlushTimer(this, () => Flush(tell: true), time, FlushEvery, FirstFlushAfter);
        _days = new ScanDays(state.State.Days);
        if (state.State.FoldRanges())
        {
            _dirty = true; // a state stored before the orders were counted: saved in its new shape at the next flush
            _flush.Arm();
        }

        return Task.CompletedTask;
    }

    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken) => Flush(tell: false);

    public async Task<PrefixView> Apply(string enterprise)
    {
        if (state.State.Enterprise is null || state.State.State == PrefixStates.Refused)
        {
            state.State.Enterprise = enterprise;
            state.State.State = PrefixStates.Applied;
            state.State.Reason = null;
            state.State.AppliedAt = time.GetUtcNow();
            state.State.DecidedAt = null;
            await Save();
        }

        return View()!;
    }

    public async Task<PrefixOutcome> Decide(string decision, string? reason)
    {
        if (state.State.Enterprise is null)
        {
            return new PrefixOutcome(null, "unknown-prefix", $"nobody applied for prefix {Prefix}");
        }

        var next = decision switch
        {
            Approve => PrefixStates.Approved,
            Refuse => PrefixStates.Refused,
            Suspend => PrefixStates.Suspended,
            _ => null,
        };
        if (next is null)
        {
            return new PrefixOutcome(View(), "invalid-field", "the decision must be approve, refuse or suspend");
        }

        if (next != PrefixStates.Approved && string.IsNullOrWhiteSpace(reason))
        {
            return new PrefixOutcome(View(), "invalid-field", $"to {decision} a prefix, give a reason");
        }

        var allowed = (state.State.State, next) switch
        {
            (PrefixStates.Applied, _) => true,
            (PrefixStates.Suspended, PrefixStates.Approved) => true,
            (PrefixStates.Approved, PrefixStates.Suspended) => true,
            _ => false,
        };
        if (!allowed)
        {
            return new PrefixOutcome(View(), "prefix-state", $"prefix {Prefix} is {state.State.State}: it cannot be {next}");
        }

        state.State.State = next;
        state.State.Reason = next == PrefixStates.Approved ? null : reason!.Trim();
        state.State.DecidedAt = time.GetUtcNow();
        await Save();
        return new PrefixOutcome(View());
    }

    public Task<PrefixView?> Get() => Task.FromResult(View());

    public async Task<AllocationOutcome> Allocate(CodeRequest request, CodeTemplate template, CodeLimits limits)
    {
        if (state.State.Enterprise is null)
        {
            return new AllocationOutcome(null, "unknown-prefix", $"nobody applied for prefix {Prefix}");
        }

        if (state.State.State != PrefixStates.Approved)
        {
            return new AllocationOutcome(null, "prefix-not-approved", $"prefix {Prefix} is {state.State.State}; codes are assigned under an approved prefix only");
        }

        if (CodeTemplates.Violation(template, request.Attributes) is { } violation)
        {
            return new AllocationOutcome(null, "template-violation", violation);
        }

        // A new description is saved before an order's grain refers to it (an unused entry is harmless).
        var product = new CodeProduct(template.Id, template.Version, request.Product, request.Attributes ?? [], request.Gtin);
        var (index, added) = state.State.Catalogue(product);
        if (added)
        {
            await Save();
        }

        var outcome = await GrainFactory.GetGrain<ICodeBatchGrain>(CodeKeys.Batch(Prefix, request.Order))
            .Allocate(request, index, state.State.Products[index], limits);
        if (outcome.Range is { } range)
        {
            state.State.Count(range.Order, range.Count);
            await Save();
        }

        return outcome;
    }

    public Task<string[]> Orders() => Task.FromResult(state.State.Orders.ToArray());

    public Task<CodeProduct[]> Products(int[] indexes)
    {
        var products = state.State.Products;
        foreach (var index in indexes)
        {
            if (index < 0 || index >= products.Count)
            {
                throw new InvalidOperationException($"prefix {Prefix} has no product {index} in its catalogue ({products.Count} entries)");
            }
        }

        return Task.FromResult(indexes.Select(i => products[i]).ToArray());
    }

    public Task ReportScans(DateOnly date, long scans, long suspect, string? lastSuspect)
    {
        if (state.State.Enterprise is null)
        {
            return Task.CompletedTask; // nobody's prefix: nobody to warn
        }

        _days.Add(date, scans, suspect, lastSuspect);
        _dirty = true;
        _flush.Arm();
        return Task.CompletedTask;
    }

    public Task<CodeScanRollup[]> ScanDays()
    {
        var now = time.GetUtcNow();
        return Task.FromResult(_days.Days.Select(d => Rollup(d, now)).ToArray());
    }

    private CodeScanRollup Rollup(ScanDay day, DateTimeOffset now) =>
        new(state.State.Enterprise ?? "", Prefix, day.Date, day.Scans, day.Suspect, day.LastSuspect, now);

    private async Task Flush(bool tell)
    {
        if (_dirty)
        {
            await Save();
        }

        var today = _days.On(calendar.DateOf(time.GetUtcNow()));
        if (tell && today.Suspect > 0 && today != _told)
        {
            await GrainFactory.GetGrain<IDistrictGrain>(Keys.District).ReportCodeScans(Rollup(today, time.GetUtcNow()));
            _told = today;
        }
        else if (!_dirty)
        {
            _flush.Disarm();
        }
    }

    private async Task Save()
    {
        _view = null;
        _dirty = false;
        state.State.Days = [.. _days.Days];
        try
        {
            await state.WriteStateAsync();
        }
        catch
        {
            _dirty = true;
            throw;
        }
        finally
        {
            kept.Forget(Prefix); // this silo's resolutions read the prefix anew
        }

        if (View() is { } view)
        {
            await GrainFactory.GetGrain<ICodeRegistryGrain>(Keys.District).Report(view);
        }
    }

    /// <summary>The view, made again only after a change (<see cref="Save"/> forgets it): every resolution asks for it.</summary>
    private PrefixView? View() => _view ??= MakeView();

    private PrefixView? MakeView() => state.State.Enterprise is null ? null : new PrefixView(
        Prefix,
        state.State.Enterprise,
        state.State.State,
        state.State.Reason,
        state.State.AppliedAt,
        state.State.DecidedAt,
        state.State.RangeCount,
        state.State.CodeCount);
}
