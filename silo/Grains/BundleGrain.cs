using IndustryBrain.Contracts;
using IndustryBrain.Domain;
using IndustryBrain.Silo.Archive;
using IndustryBrain.Silo.Telemetry;

namespace IndustryBrain.Silo.Grains;

/// <summary>A pledge as a bundle keeps it.</summary>
public sealed record PledgeEntry(decimal Quantity, DateTimeOffset At);

/// <summary>What a bundle keeps in storage.</summary>
public sealed class BundleState
{
    public BundleTerms? Terms { get; set; }
    public string State { get; set; } = BundleStates.Open;
    public DateTimeOffset? OpenedAt { get; set; }
    public DateTimeOffset? ClosedAt { get; set; }
    public Dictionary<string, PledgeEntry> Pledges { get; set; } = new(StringComparer.Ordinal);

    /// <summary>True once every participant and the district have heard how the bundle ended.</summary>
    public bool Recorded { get; set; }
}

/// <summary>
/// One pooled-procurement bundle. Every accepted change is saved before the reply. The deadline is a
/// durable reminder, so a bundle whose closesAt passed while the silo was down closes on the next
/// start; any call after the deadline closes it too. Closing records each participant's cost and
/// savings on its enterprise, idempotently per bundle, and retries until all have heard it.
/// </summary>
public sealed class BundleGrain(
    [PersistentState("bundle", StorageNames.Store)] IPersistentState<BundleState> state,
    TimeProvider time,
    IHistoryArchive archive,
    ILogger<BundleGrain> logger) : Grain, IBundleGrain, IRemindable
{
    private const string Deadline = "deadline";

    private string Id => this.GetPrimaryKeyString();

    public override async Task OnActivateAsync(CancellationToken cancellationToken) => await Settle();

    public async Task<BundleOutcome> Open(BundleTerms terms)
    {
        await Settle();
        if (state.State.Terms is { } existing)
        {
            return SameTerms(existing, terms)
                ? new BundleOutcome(View(), null, null)
                : BundleOutcome.Refused("bundle-exists", $"bundle '{Id}' is already open with other terms");
        }

        if (TierPricing.TermsProblem(terms, time.GetUtcNow()) is { } problem)
        {
            return BundleOutcome.Refused(problem.Reason, problem.Detail);
        }

        state.State.Terms = terms with { Tiers = terms.Tiers ?? [] };
        state.State.State = BundleStates.Open;
        state.State.OpenedAt = time.GetUtcNow();
        await state.WriteStateAsync();
        await this.RegisterOrUpdateReminder(Deadline, Max(terms.ClosesAt - time.GetUtcNow(), TimeSpan.FromSeconds(1)), TimeSpan.FromMinutes(1));
        BundleEvents.Record("opened");
        await Announce();
        return new BundleOutcome(View(), null, null, Created: true);
    }

    public async Task<BundleOutcome> Pledge(string enterprise, decimal quantity)
    {
        if (await Refusal() is { } refused)
        {
            return refused;
        }

        if (TierPricing.PledgeProblem(quantity) is { } problem)
        {
            return BundleOutcome.Refused(problem.Reason, problem.Detail);
        }

        if (state.State.Pledges.TryGetValue(enterprise, out var pledged) && pledged.Quantity == quantity)
        {
            return new BundleOutcome(View(), null, null);
        }

        if (!await GrainFactory.GetGrain<IEnterpriseGrain>(enterprise).IsRegistered())
        {
            return BundleOutcome.Refused("unknown-enterprise", $"enterprise '{enterprise}' is not registered");
        }

        state.State.Pledges[enterprise] = new PledgeEntry(quantity, time.GetUtcNow());
        try
        {
            await state.WriteStateAsync();
        }
        catch
        {
            // Nothing shows that was not stored.
            if (pledged is null)
            {
                state.State.Pledges.Remove(enterprise);
            }
            else
            {
                state.State.Pledges[enterprise] = pledged;
            }

            throw;
        }

        BundleEvents.Record("pledged");
        await Announce();
        return new BundleOutcome(View(), null, null);
    }

    public async Task<BundleOutcome> Withdraw(string enterprise)
    {
        if (await Refusal() is { } refused)
        {
            return refused;
        }

        if (!state.State.Pledges.Remove(enterprise, out var pledged))
        {
            return BundleOutcome.Refused("unknown-pledge", $"enterprise '{enterprise}' has no pledge in bundle '{Id}'");
        }

        try
        {
            await state.WriteStateAsync();
        }
        catch
        {
            state.State.Pledges[enterprise] = pledged;
            throw;
        }

        BundleEvents.Record("withdrawn");
        await Announce();
        return new BundleOutcome(View(), null, null);
    }

    public async Task<BundleOutcome> Close()
    {
        if (await Refusal() is { } refused)
        {
            return refused;
        }

        await End(Reached() ? BundleStates.Closed : BundleStates.Failed);
        return new BundleOutcome(View(), null, null);
    }

    public async Task<BundleOutcome> Cancel()
    {
        if (await Refusal() is { } refused)
        {
            return refused;
        }

        await End(BundleStates.Cancelled);
        return new BundleOutcome(View(), null, null);
    }

    public async Task<BundleView?> Get()
    {
        await Settle();
        return state.State.Terms is null ? null : View();
    }

    public async Task ReceiveReminder(string reminderName, TickStatus status)
    {
        await Settle();
        if (state.State.Terms is null || (state.State.State != BundleStates.Open && state.State.Recorded))
        {
            var reminder = await this.GetReminder(reminderName);
            if (reminder is not null)
            {
                await this.UnregisterReminder(reminder);
            }
        }
    }

    /// <summary>Closes a bundle whose deadline has passed, and finishes recording one that ended.</summary>
    private async Task Settle()
    {
        if (state.State.Terms is { } terms && state.State.State == BundleStates.Open && time.GetUtcNow() >= terms.ClosesAt)
        {
            await End(Reached() ? BundleStates.Closed : BundleStates.Failed);
        }
        else if (state.State.Terms is not null && state.State.State != BundleStates.Open && !state.State.Recorded)
        {
            await Record();
        }
    }

    private async Task<BundleOutcome?> Refusal()
    {
        await Settle();
        if (state.State.Terms is null)
        {
            return BundleOutcome.Refused("unknown-bundle", $"no bundle '{Id}' was opened");
        }

        return state.State.State == BundleStates.Open
            ? null
            : BundleOutcome.Refused($"bundle-{state.State.State}", $"bundle '{Id}' is {state.State.State} since {state.State.ClosedAt:O}; it takes no more changes");
    }

    private async Task End(string outcome)
    {
        state.State.State = outcome;
        state.State.ClosedAt = time.GetUtcNow();
        state.State.Recorded = false;
        await state.WriteStateAsync();
        BundleEvents.Record(outcome);
        logger.LogInformation("Bundle {Bundle} {Outcome} with {Total} pledged by {Participants}", Id, outcome, Total(), state.State.Pledges.Count);
        await Record();
    }

    /// <summary>Tells every participant (closed bundles only) and the district; safe to repeat.</summary>
    private async Task Record()
    {
        try
        {
            var view = View();
            if (view.State == BundleStates.Closed)
            {
                var terms = state.State.Terms!;
                await Task.WhenAll(view.Pledges.Select(p => GrainFactory.GetGrain<IEnterpriseGrain>(p.Enterprise).RecordProcurement(
                    new ProcurementRecord(Id, terms.Material, terms.Unit, p.Quantity, view.UnitPrice, terms.ListPrice, p.Cost, p.Savings, state.State.ClosedAt!.Value))));
            }

            await Announce();
            archive.Bundle(view);
            state.State.Recorded = true;
            await state.WriteStateAsync();
        }
        catch (Exception e)
        {
            // The deadline reminder stays registered and retries within a minute.
            logger.LogWarning(e, "Bundle {Bundle} ended but not every participant has heard yet; retrying", Id);
        }
    }

    /// <summary>The bundle list and the district cockpit hear every change (the cockpit sums pooled value and savings).</summary>
    private Task Announce()
    {
        var view = View();
        return Task.WhenAll(
            GrainFactory.GetGrain<IBundleIndexGrain>(Keys.District).Update(view),
            GrainFactory.GetGrain<IDistrictGrain>(Keys.District).ReportBundle(new BundleRollup(
                view.Bundle, view.State, view.Material, view.TotalQuantity, view.UnitPrice, view.PooledValue, view.Savings, view.ClosesAt,
                view.Unit, view.MinQuantity, view.ListPrice, view.Tiers)));
    }

    private decimal Total() => state.State.Pledges.Values.Sum(p => p.Quantity);

    private bool Reached() => Total() >= state.State.Terms!.MinQuantity;

    private BundleView View()
    {
        var terms = state.State.Terms!;
        var total = Total();
        var tier = TierPricing.TierReached(terms.Tiers, total);
        var unitPrice = TierPricing.UnitPrice(terms.ListPrice, terms.Tiers, total);
        var pledges = state.State.Pledges
            .OrderBy(p => p.Key, StringComparer.Ordinal)
            .Select(p => new PledgeView(p.Key, p.Value.Quantity, unitPrice * p.Value.Quantity,
                TierPricing.Savings(terms.ListPrice, unitPrice, p.Value.Quantity), p.Value.At))
            .ToArray();
        return new BundleView(Id, state.State.State, terms.Material, terms.Unit, terms.Supplier, terms.ListPrice, terms.Tiers,
            terms.MinQuantity, terms.ClosesAt, state.State.ClosedAt, total, tier, unitPrice, total * unitPrice,
            TierPricing.Savings(terms.ListPrice, unitPrice, total), pledges.Length, pledges);
    }

    private static bool SameTerms(BundleTerms a, BundleTerms b) =>
        a with { Tiers = [] } == b with { Tiers = [] } && (a.Tiers ?? []).SequenceEqual(b.Tiers ?? []);

    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;
}
