using IndustryBrain.Contracts;
using IndustryBrain.Domain;

namespace IndustryBrain.Silo.Grains;

/// <summary>What a firm's board keeps in storage. Its output per day is held by its <see cref="DailyLedger"/> while it is active.</summary>
public sealed class BoardState : IHeldState
{
    public Dictionary<string, BoardLine> Orders { get; set; } = new(StringComparer.Ordinal);
    public Dictionary<string, TerminalRecord> Terminals { get; set; } = new(StringComparer.Ordinal);
    public ShiftCalendar? Shifts { get; set; }
    public List<DailyOutput> Daily { get; set; } = [];
    public Dictionary<string, DateOnly> DoneOn { get; set; } = new(StringComparer.Ordinal);
    public SalesFigures? Sales { get; set; }

    public void Release() => Daily = [];
}

/// <summary>
/// One firm's dispatch board. Orders tell it their figures (about once a second while they change), the ingest their
/// terminals' states, the sales ledger its totals; the view is put together only when asked for and something changed
/// (<see cref="BoardAssembly"/>). Saved on a short timer while dirty, the shift calendar before the reply.
/// </summary>
public sealed class BoardGrain(
    [PersistentState("board", StorageNames.Store)] IPersistentState<BoardState> state,
    DistrictCalendar calendar,
    TimeProvider time) : Grain, IBoardGrain
{
    /// <summary>A view older than this is put together again even if nothing was told: rates and ages move with time.</summary>
    public static readonly TimeSpan FreshFor = TimeSpan.FromSeconds(10);

    /// <summary>A done order leaves the board's keeping this long after it was done (it counts for "done this week" until then).</summary>
    public static readonly TimeSpan KeepDone = TimeSpan.FromDays(8);

    private static readonly TimeSpan SaveEvery = TimeSpan.FromSeconds(10);

    /// <summary>How often, at most, the firm's OEE today is told to the district (for OEE per chain node on the cockpit).</summary>
    public static readonly TimeSpan TellOeeEvery = TimeSpan.FromMinutes(1);
    private DateTimeOffset _oeeToldAt = DateTimeOffset.MinValue;
    private DailyLedger _daily = new();
    private long _version;
    private bool _changed = true;
    private BoardView? _view;
    private bool _dirty;
    private FlushTimer _save = null!;
    private string? _name;

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        _save = new FlushTimer(this, Save, time, SaveEvery);
        _daily = DailyLedger.Restore(state.State.Daily);
        state.State.Release();
        _version = time.GetUtcNow().ToUnixTimeMilliseconds(); // versions stay new across activations
        return Task.CompletedTask;
    }

    /// <summary>Saves on the way out, telling no other grain: when the silo stops, they may be gone already.</summary>
    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken) => Save(tell: false);

    public Task ReportOrder(BoardLine line, TerminalCount[] counted)
    {
        state.State.Orders.TryGetValue(line.Order, out var before);
        var units = line.Completed - (before?.Completed ?? 0);
        var value = (line.Completed * line.UnitPrice) - ((before?.Completed ?? 0) * (before?.UnitPrice ?? 0m));
        _daily.Add(calendar.DateOf(line.AsOf), units, value);
        state.State.Orders[line.Order] = line;
        if (line.Status == OrderStatuses.Done)
        {
            state.State.DoneOn.TryAdd(line.Order, calendar.DateOf(line.AsOf));
        }
        else
        {
            state.State.DoneOn.Remove(line.Order);
        }

        var now = time.GetUtcNow();
        foreach (var count in counted)
        {
            // A reading dated far from the brain's clock (which the ingest refuses; a grain may still be told one) counts now.
            var dated = count.At > now.AddDays(1) || count.At < now.AddDays(-DailyLedger.Days) ? count with { At = now } : count;
            TerminalActivity.Counted(Terminal(dated.Terminal), dated, calendar.DateOf(dated.At));
        }

        Changed();
        return Task.CompletedTask;
    }

    public Task UpdateTerminals(TerminalStatus[] statuses)
    {
        var any = false;
        foreach (var status in statuses)
        {
            any |= TerminalActivity.Status(Terminal(status.Terminal), status);
        }

        if (any)
        {
            Changed();
        }

        return Task.CompletedTask;
    }

    public Task ReportSales(SalesFigures sales)
    {
        state.State.Sales = sales;
        Changed();
        return Task.CompletedTask;
    }

    public async Task<ShiftCalendar> SetShifts(ShiftCalendar shifts)
    {
        if (ShiftTimes.Problem(shifts) is { } problem)
        {
            throw new ArgumentException(problem, nameof(shifts));
        }

        state.State.Shifts = shifts;
        Changed();
        await Save();
        return shifts;
    }

    public async Task<BoardView?> GetBoard(long knownVersion)
    {
        var now = time.GetUtcNow();
        if (!_changed && _view is not null && now - _view.AsOf < FreshFor)
        {
            return knownVersion == _view.Version ? null : _view;
        }

        _name ??= (await GrainFactory.GetGrain<IEnterpriseGrain>(this.GetPrimaryKeyString()).GetView()).Profile?.Name;
        Forget(now);
        _changed = false;
        _version = Math.Max(_version + 1, now.ToUnixTimeMilliseconds());
        _view = BoardAssembly.View(
            new BoardFacts(this.GetPrimaryKeyString(), _name, state.State.Orders.Values, state.State.Terminals.Values,
                state.State.Shifts ?? ShiftCalendar.Default, _daily, state.State.DoneOn, state.State.Sales ?? SalesFigures.None),
            calendar, now, _version);
        return _view;
    }

    private TerminalRecord Terminal(string terminal)
    {
        if (!state.State.Terminals.TryGetValue(terminal, out var record))
        {
            state.State.Terminals[terminal] = record = new TerminalRecord { Terminal = IdPool.Shared(terminal) };
        }

        return record;
    }

    /// <summary>Orders done more than <see cref="KeepDone"/> ago leave the board.</summary>
    private void Forget(DateTimeOffset now)
    {
        var before = calendar.DateOf(now - KeepDone);
        foreach (var (order, done) in state.State.DoneOn)
        {
            if (done < before)
            {
                state.State.DoneOn.Remove(order);
                state.State.Orders.Remove(order);
                _dirty = true;
            }
        }
    }

    private void Changed()
    {
        _changed = true;
        _dirty = true;
        _save.Arm();
    }

    private Task Save() => Save(tell: true);

    private async Task Save(bool tell)
    {
        if (!_dirty)
        {
            _save.Disarm();
            return;
        }

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

        if (tell)
        {
            await TellOee();
        }
    }

    /// <summary>The firm's OEE today to the district, at most every <see cref="TellOeeEvery"/> (the board's own sums, put together anew).</summary>
    private async Task TellOee()
    {
        var now = time.GetUtcNow();
        if (now - _oeeToldAt < TellOeeEvery)
        {
            return;
        }

        _oeeToldAt = now;
        var view = await GetBoard(-1);
        if (view is not null && view.Oee.PlannedSeconds + view.Oee.Good + view.Oee.Scrap > 0)
        {
            await GrainFactory.Grain<IDistrictGrain>(Keys.District).ReportOee(new FirmOee(view.Enterprise, view.Today, view.Oee, now));
        }
    }
}
