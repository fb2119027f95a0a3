using IndustryBrain.Contracts;
using IndustryBrain.Domain;
using IndustryBrain.Silo.Archive;

namespace IndustryBrain.Silo.Grains;

/// <summary>What an enterprise keeps in storage. Its output per day is held by its <see cref="DailyLedger"/> while it is active.</summary>
public sealed class EnterpriseState : IHeldState
{
    public EnterpriseProfile? Profile { get; set; }
    public DateTimeOffset? RegisteredAt { get; set; }
    public Dictionary<string, OrderSummary> Orders { get; set; } = new(StringComparer.Ordinal);
    public Dictionary<string, TerminalStatus> Terminals { get; set; } = new(StringComparer.Ordinal);
    public List<DailyOutput> Daily { get; set; } = [];
    public Dictionary<string, ProcurementRecord> Procurement { get; set; } = new(StringComparer.Ordinal);

    public void Release() => Daily = [];
}

/// <summary>
/// One enterprise: its profile, the latest figures of each of its orders, its terminals' states and its
/// output per district day. Registration is saved before the reply; roll-ups are saved on a short timer,
/// and the district hears the enterprise's roll-up on the same timer when its figures changed.
/// </summary>
public sealed class EnterpriseGrain(
    [PersistentState("enterprise", StorageNames.Store)] IPersistentState<EnterpriseState> state,
    DistrictCalendar calendar,
    IHistoryArchive archive,
    TimeProvider time) : Grain, IEnterpriseGrain
{
    private static readonly TimeSpan FlushEvery = TimeSpan.FromSeconds(1);

    /// <summary>A change after a quiet second is passed on this soon (the cockpit shows it within about a second); then once a second.</summary>
    private static readonly TimeSpan FirstFlushAfter = TimeSpan.FromMilliseconds(50);
    private DailyLedger _daily = new();
    private bool _dirty;
    private FlushTimer _flush = null!;
    private EnterpriseRollup? _rolledUp;

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        _flush = new FlushTimer(this, Flush, time, FlushEvery, FirstFlushAfter);
        _daily = DailyLedger.Restore(state.State.Daily);
        state.State.Release();
        if (state.RecordExists)
        {
            // Tell the district once after (re)activation: a roll-up sent after its last save was lost in a restart.
            _flush.Arm();
        }

        return Task.CompletedTask;
    }

    /// <summary>Saves on the way out; when the silo is stopping it has already handed its roll-up to the district and only saves.</summary>
    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken) =>
        await Flush(rollUp: reason.ReasonCode != DeactivationReasonCode.ShuttingDown);

    public Task HandOff() => Flush();

    public async Task<EnterpriseView> Register(EnterpriseProfile profile)
    {
        state.State.Profile = profile;
        state.State.RegisteredAt ??= time.GetUtcNow();
        _dirty = true;
        await Flush();
        return View();
    }

    public Task<bool> IsRegistered() => Task.FromResult(state.State.Profile is not null);

    public Task<EnterpriseView> GetView() => Task.FromResult(View());

    public Task<OrderSummary[]> ListOrders()
    {
        var now = time.GetUtcNow();
        return Task.FromResult(state.State.Orders.Values
            .Select(o => AsOf(o, now))
            .OrderBy(o => o.Due ?? DateTimeOffset.MaxValue)
            .ThenBy(o => o.Order, StringComparer.Ordinal)
            .ToArray());
    }

    public Task ReportOrder(OrderSummary summary)
    {
        state.State.Orders.TryGetValue(summary.Order, out var before);
        var units = summary.Completed - (before?.Completed ?? 0);
        var value = (summary.Completed * summary.UnitPrice) - ((before?.Completed ?? 0) * (before?.UnitPrice ?? 0m));
        _daily.Add(calendar.DateOf(summary.AsOf), units, value);
        state.State.Orders[summary.Order] = summary;
        MarkDirty();
        return Task.CompletedTask;
    }

    public async Task RecordProcurement(ProcurementRecord record)
    {
        if (state.State.Procurement.TryGetValue(record.Bundle, out var known) && known == record)
        {
            return;
        }

        state.State.Procurement[record.Bundle] = record;
        _dirty = true;
        await Flush();
    }

    public Task UpdateTerminals(TerminalStatus[] statuses)
    {
        foreach (var status in statuses)
        {
            // A status without seq (a Last Will) always applies; otherwise the highest seq wins.
            if (state.State.Terminals.TryGetValue(status.Terminal, out var known)
                && status.Seq is { } seq && known.Seq is { } knownSeq && seq <= knownSeq)
            {
                continue;
            }

            state.State.Terminals[status.Terminal] = status;
        }

        MarkDirty();
        return Task.CompletedTask;
    }

    public Task RollUp() => SendRollUp(force: true);

    private EnterpriseView View()
    {
        var now = time.GetUtcNow();
        var today = calendar.DateOf(now);
        var byStatus = OrderStatuses.All.ToDictionary(s => s, _ => 0);
        foreach (var order in state.State.Orders.Values)
        {
            byStatus[AsOf(order, now).Status]++;
        }

        var terminals = state.State.Terminals.Values.OrderBy(t => t.Terminal, StringComparer.Ordinal).ToArray();
        return new EnterpriseView(
            this.GetPrimaryKeyString(),
            state.State.Profile,
            today,
            _daily.On(today),
            state.State.Orders.Count - byStatus[OrderStatuses.Done],
            terminals.Count(t => t.State != TerminalStates.Offline),
            terminals.Count(t => t.State == TerminalStates.Fault),
            byStatus,
            terminals,
            _daily.ToArray(),
            state.State.RegisteredAt,
            [.. state.State.Procurement.Values.OrderByDescending(p => p.ClosedAt)],
            state.State.Procurement.Values.Sum(p => p.Savings));
    }

    /// <summary>An order that was on track when it last reported is late once its due time has passed.</summary>
    private static OrderSummary AsOf(OrderSummary order, DateTimeOffset now) =>
        Lateness.AsOf(order.Status, order.Due, now) is var status && status != order.Status ? order with { Status = status } : order;

    private void MarkDirty()
    {
        _dirty = true;
        _flush.Arm();
    }

    private Task Flush() => Flush(rollUp: true);

    private async Task Flush(bool rollUp)
    {
        _flush.Begin();

        // The district hears the roll-up while the state is being saved, not after (see ProductionOrderGrain).
        var rollingUp = rollUp ? SendRollUp(force: false) : Task.FromResult(false);
        if (_dirty)
        {
            _dirty = false;
            try
            {
                await state.WriteHeld(s => s.Daily = _daily.Snapshot());
            }
            catch
            {
                _dirty = true;
                throw;
            }
        }

        if (!await rollingUp && !_dirty)
        {
            _flush.Disarm();
        }
    }

    /// <summary>Tells the district the enterprise's figures if they changed since it last heard them (or when asked).</summary>
    private async Task<bool> SendRollUp(bool force)
    {
        var rollup = EnterpriseRollups.Of(this.GetPrimaryKeyString(), state.State.Profile, state.State.Orders.Values,
            state.State.Terminals.Values, _daily.ToArray(), time.GetUtcNow());
        if (!force && _rolledUp is not null && _rolledUp.SameFiguresAs(rollup))
        {
            return false;
        }

        await GrainFactory.Grain<IDistrictGrain>(Keys.District).ReportEnterprise(rollup);
        Archive(rollup, _rolledUp);
        _rolledUp = rollup;
        return true;
    }

    /// <summary>The history archive keeps each day's output as it stands; only days that changed are handed over (without waiting).</summary>
    private void Archive(EnterpriseRollup rollup, EnterpriseRollup? before)
    {
        foreach (var day in rollup.Daily)
        {
            if (before is null || before.ChainNode != rollup.ChainNode || Array.IndexOf(before.Daily, day) < 0)
            {
                archive.Day(rollup.Enterprise, rollup.ChainNode, day, rollup.AsOf);
            }
        }
    }
}
