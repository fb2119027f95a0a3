using IndustryBrain.Contracts;
using IndustryBrain.Domain;

namespace IndustryBrain.Silo.Grains;

/// <summary>What an enterprise keeps in storage.</summary>
public sealed class EnterpriseState
{
    public EnterpriseProfile? Profile { get; set; }
    public DateTimeOffset? RegisteredAt { get; set; }
    public Dictionary<string, OrderSummary> Orders { get; set; } = new(StringComparer.Ordinal);
    public Dictionary<string, TerminalStatus> Terminals { get; set; } = new(StringComparer.Ordinal);
    public List<DailyOutput> Daily { get; set; } = [];
    public Dictionary<string, ProcurementRecord> Procurement { get; set; } = new(StringComparer.Ordinal);
}

/// <summary>
/// One enterprise: its profile, the latest figures of each of its orders, its terminals' states and its
/// output per district day. Registration is saved before the reply; roll-ups are saved on a short timer.
/// </summary>
public sealed class EnterpriseGrain(
    [PersistentState("enterprise", StorageNames.Store)] IPersistentState<EnterpriseState> state,
    DistrictCalendar calendar,
    TimeProvider time) : Grain, IEnterpriseGrain
{
    private static readonly TimeSpan FlushEvery = TimeSpan.FromSeconds(1);
    private DailyLedger _daily = new();
    private bool _dirty;
    private IGrainTimer? _flush;

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        _daily = new DailyLedger(state.State.Daily);
        return Task.CompletedTask;
    }

    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken) => await Flush();

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
        order.Due is { } due && now > due && order.Status is OrderStatuses.OnTrack or OrderStatuses.AtRisk
            ? order with { Status = OrderStatuses.Late }
            : order;

    private void MarkDirty()
    {
        _dirty = true;
        _flush ??= this.RegisterGrainTimer(Flush, new GrainTimerCreationOptions(FlushEvery, FlushEvery));
    }

    private async Task Flush()
    {
        if (!_dirty)
        {
            _flush?.Dispose();
            _flush = null;
            return;
        }

        _dirty = false;
        state.State.Daily = [.. _daily.ToArray()];
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
}
