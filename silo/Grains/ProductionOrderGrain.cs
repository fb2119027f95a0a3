using IndustryBrain.Contracts;
using IndustryBrain.Domain;

namespace IndustryBrain.Silo.Grains;

/// <summary>
/// What an order keeps in storage. The kept readings, the ETA curve and the step times are held by the grain's domain
/// objects while it is active and filled in here for a save only (<see cref="IHeldState"/>).
/// </summary>
public sealed class OrderState : IHeldState
{
    public OrderPlan? Plan { get; set; }
    public DateTimeOffset? PlannedAt { get; set; }
    public DateTimeOffset? LastReadingAt { get; set; }
    public List<KeptEntry>? Kept { get; set; }
    public List<ProgressSample>? Anchors { get; set; }
    public ProgressSample? Latest { get; set; }

    /// <summary>Per step, the first and last applied reading's time (the trace page's "when each step ran").</summary>
    public Dictionary<string, StepSpan>? StepTimes { get; set; }

    public void Release()
    {
        Kept = null;
        Anchors = null;
        Latest = null;
        StepTimes = null;
    }
}

/// <summary>
/// One production order. Readings are applied in memory; the state is saved on a short timer while
/// dirty and on deactivation (the brain epoch lets terminals heal what a crash loses). A plan is
/// saved before the reply. The enterprise hears the order's latest figures at most about once a second.
/// </summary>
public sealed class ProductionOrderGrain(
    [PersistentState("order", StorageNames.Store)] IPersistentState<OrderState> state,
    TimeProvider time) : Grain, IProductionOrderGrain
{
    private static readonly TimeSpan FlushEvery = TimeSpan.FromSeconds(1);
    private FlushTimer _flush = null!;

    /// <summary>
    /// Readings are saved at most this often (and on deactivation): a crash loses at most this much,
    /// which the brain epoch heals; saving every second cost more than the rest of the hot path.
    /// </summary>
    public static readonly TimeSpan SaveEvery = TimeSpan.FromSeconds(10);

    /// <summary>A change after a quiet second is passed on this soon (the cockpit shows it within about a second); then once a second.</summary>
    private static readonly TimeSpan FirstFlushAfter = TimeSpan.FromMilliseconds(50);
    private string _enterprise = "";
    private string _order = "";
    private OrderCounts _counts = new();
    private EtaEstimator _eta = new();
    private readonly RoutingWatch _routing = new();
    private readonly StepPace _pace = new();
    private readonly Dictionary<(string Terminal, string Step), TerminalCount> _counted = [];
    private bool _boardDirty = true;
    private StepTimes _times = new();
    private bool _dirty;
    private OrderSummary? _reported;
    private DateTimeOffset _savedAt;

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        (_enterprise, _order) = Keys.SplitOrder(this.GetPrimaryKeyString());
        _flush = new FlushTimer(this, () => Flush(save: false), time, FlushEvery, FirstFlushAfter);
        var saved = state.State;
        _counts = OrderCounts.Restore(saved.Kept);
        _times = StepTimes.Restore(saved.StepTimes);
        if (saved.Plan is { } plan)
        {
            saved.Plan = Shared(plan);
        }

        // A curve drawn from a clock far ahead (readings the brain took before it checked their time) starts afresh.
        _eta = EtaEstimator.Restore(saved.Anchors, saved.Latest, time.GetUtcNow().AddDays(1));
        saved.Release();
        return Task.CompletedTask;
    }

    /// <summary>
    /// Saves on the way out. When the silo is stopping, the order has already handed its figures to its
    /// enterprise (<see cref="HandOff"/>, from <c>StopHandOff</c>) and only saves: a call now would find the
    /// enterprise gone and nowhere left to place it.
    /// </summary>
    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken) =>
        await Flush(save: true, report: reason.ReasonCode != DeactivationReasonCode.ShuttingDown);

    public Task HandOff() => Flush(save: true);

    public Task<ApplyOutcome> Apply(ReadingBatch batch)
    {
        int applied = 0, duplicates = 0;
        List<Rejection>? rejections = null;
        var latest = DateTimeOffset.MinValue;
        foreach (var reading in batch.Readings)
        {
            var before = _counts.KeptOf(reading);
            switch (_counts.Apply(reading, out var detail))
            {
                case ReadingVerdict.Applied:
                    applied++;
                    Counted(reading, before);
                    _times.Observe(reading.Step, reading.Ts);
                    if (reading.Ts > latest)
                    {
                        latest = reading.Ts;
                    }

                    if (_routing.Tell(state.State.Plan, _order, reading) is { } offRouting)
                    {
                        (rejections ??= []).Add(new Rejection(_enterprise, reading.Terminal, RejectReasons.UnknownStep, reading.Seq, offRouting, time.GetUtcNow()));
                    }

                    break;
                case ReadingVerdict.Duplicate:
                    duplicates++;
                    break;
                default:
                    (rejections ??= []).Add(new Rejection(_enterprise, reading.Terminal, RejectReasons.CounterDecreased, reading.Seq, detail!, time.GetUtcNow()));
                    break;
            }
        }

        if (applied > 0)
        {
            state.State.LastReadingAt = state.State.LastReadingAt is { } last && last > latest ? last : latest;
            _eta.Observe(latest, OrderRules.Progress(state.State.Plan, _counts));
            foreach (var step in state.State.Plan?.Routing ?? [])
            {
                _pace.Observe(step.Step, latest, _counts.CountOf(step.Step).Good);
            }

            _boardDirty = true;
            MarkDirty();
        }

        return Task.FromResult(applied == 0 && duplicates == 0 && rejections is null
            ? ApplyOutcome.Empty
            : new ApplyOutcome(applied, duplicates, rejections?.ToArray() ?? []));
    }

    public async Task<OrderProgress> Plan(OrderPlan plan)
    {
        if (OrderRules.PlanProblem(plan, time.GetUtcNow()) is { } problem)
        {
            throw new ArgumentException(problem, nameof(plan));
        }

        var before = state.State.Plan;
        plan = Shared(plan);
        state.State.Plan = plan;
        state.State.PlannedAt ??= time.GetUtcNow();
        _routing.PlanChanged();
        if (before is null || before.Quantity != plan.Quantity || !before.Routing.SequenceEqual(plan.Routing))
        {
            // Progress is measured against the plan: a curve drawn against another plan (or none) would
            // count everything done so far as done since its first point. Start the curve afresh.
            var latest = _eta.Latest;
            _eta = new EtaEstimator();
            if (latest is not null)
            {
                _eta.Observe(latest.At, OrderRules.Progress(plan, _counts));
            }
        }

        _dirty = true;
        _boardDirty = true;
        await Flush(save: true);
        return Progress();
    }

    public Task<OrderProgress> GetProgress() => Task.FromResult(Progress());

    /// <summary>The order's figures now: every answer it gives derives its status, progress and ETA from these.</summary>
    private OrderFigures Figures(DateTimeOffset now) => OrderFigures.Of(state.State.Plan, _counts, _eta, now);

    private OrderProgress Progress()
    {
        var plan = state.State.Plan;
        var figures = Figures(time.GetUtcNow());
        var eta = plan is null ? null : figures.Eta?.ToOffset(plan.Due.Offset);
        var steps = new List<StepProgress>();
        foreach (var step in plan?.Routing ?? [])
        {
            var count = _counts.CountOf(step.Step);
            var span = _times.Of(step.Step);
            steps.Add(new StepProgress(step.Step, step.Name, OrderRules.Weight(step), count.Good, count.Scrap,
                OrderRules.StepProgress(count.Good, plan!.Quantity), _counts.TerminalsOf(step.Step), span?.First, span?.Last));
        }

        foreach (var (step, count) in _counts.Steps.OrderBy(s => s.Key, StringComparer.Ordinal))
        {
            if (plan is null || !RoutingWatch.OnRouting(plan, step))
            {
                // Counted but not on the routing (or not planned yet): shown, weighing nothing.
                var span = _times.Of(step);
                steps.Add(new StepProgress(step, null, 0, count.Good, count.Scrap,
                    plan is null ? 0 : OrderRules.StepProgress(count.Good, plan.Quantity), _counts.TerminalsOf(step), span?.First, span?.Last));
            }
        }

        return new OrderProgress(
            _enterprise, _order, figures.Status, plan?.Product, plan?.Quantity, plan?.UnitPrice,
            plan?.Due, figures.Progress, figures.Completed, figures.Completed * (plan?.UnitPrice ?? 0m), eta,
            state.State.LastReadingAt, [.. steps]);
    }

    private OrderSummary Summary()
    {
        var plan = state.State.Plan;
        var now = time.GetUtcNow();
        var figures = Figures(now);
        return new OrderSummary(_order, figures.Status, plan?.Product, plan?.Quantity,
            plan?.UnitPrice ?? 0m, plan?.Due, figures.Progress, figures.Completed, figures.Eta, now, figures.InProcess);
    }

    private void MarkDirty()
    {
        _dirty = true;
        _flush.Arm();
    }

    private async Task Flush(bool save, bool report = true)
    {
        var flushedAt = _flush.Begin();
        save |= flushedAt - _savedAt >= SaveEvery;

        // The enterprise hears the figures while the state is being saved, not after: under load the
        // save waits its turn in the store, and the cockpit should not wait with it.
        var summary = Summary();
        var reporting = report && (_reported is null || !SameFigures(_reported, summary))
            ? GrainFactory.Grain<IEnterpriseGrain>(_enterprise).ReportOrder(summary)
            : null;
        var boarding = report && (_boardDirty || _reported is null || _reported.Status != summary.Status) ? ReportToBoard() : null;
        if (_dirty && save)
        {
            _dirty = false;
            _savedAt = flushedAt;
            try
            {
                await state.WriteHeld(Snapshot);
            }
            catch
            {
                _dirty = true;
                throw;
            }
        }

        if (boarding is not null)
        {
            await boarding;
        }

        if (reporting is not null)
        {
            await reporting;
            _reported = summary;
        }
        else if (!_dirty && boarding is null)
        {
            _flush.Disarm();
        }
    }

    /// <summary>Fills in what the domain objects hold, for a save.</summary>
    private void Snapshot(OrderState saving)
    {
        saving.Kept = _counts.Snapshot();
        (saving.Anchors, saving.Latest) = _eta.Snapshot();
        saving.StepTimes = _times.Snapshot();
    }

    /// <summary>What a terminal counted with this reading, for its firm's board (a delta: the reading less the one kept before it).</summary>
    private void Counted(Reading reading, KeptReading before)
    {
        var key = (reading.Terminal, reading.Step);
        if (!_counted.TryGetValue(key, out var sum))
        {
            // The first reading of a terminal and step since the board last heard: the only one that looks anything up.
            var ideal = state.State.Plan?.Routing.FirstOrDefault(r => r.Step == reading.Step)?.IdealRatePerHour;
            sum = new TerminalCount(IdPool.Shared(reading.Terminal), _order, IdPool.Shared(reading.Step), 0, 0, reading.Ts, ideal);
        }

        _counted[key] = sum with
        {
            Good = sum.Good + reading.Good - before.Good,
            Scrap = sum.Scrap + reading.Scrap - before.Scrap,
            At = sum.At > reading.Ts ? sum.At : reading.Ts,
        };
    }

    /// <summary>
    /// Tells the firm's board the order's figures and what its terminals counted since it last told. What a failed call
    /// carried is told again with the next (counts added up); the order's own figures never depend on it.
    /// </summary>
    private async Task ReportToBoard()
    {
        var counted = _counted.Values.ToArray();
        _counted.Clear();
        _boardDirty = false;
        try
        {
            await GrainFactory.Grain<IBoardGrain>(_enterprise).ReportOrder(BoardLine(), counted);
        }
        catch
        {
            _boardDirty = true;
            foreach (var c in counted)
            {
                _counted[(c.Terminal, c.Step)] = _counted.TryGetValue((c.Terminal, c.Step), out var later)
                    ? later with { Good = later.Good + c.Good, Scrap = later.Scrap + c.Scrap }
                    : c;
            }

            throw;
        }
    }

    private BoardLine BoardLine()
    {
        var plan = state.State.Plan;
        var now = time.GetUtcNow();
        var figures = Figures(now);
        var steps = new List<BoardStep>();
        foreach (var step in plan?.Routing ?? [])
        {
            var count = _counts.CountOf(step.Step);
            steps.Add(new BoardStep(step.Step, step.Name, count.Good, count.Scrap, Math.Round(OrderRules.StepProgress(count.Good, plan!.Quantity), 4),
                _pace.RatePerHour(step.Step), step.IdealRatePerHour));
        }

        return new BoardLine(_order, figures.Status, plan?.Product, plan?.Quantity, plan?.UnitPrice ?? 0m,
            plan?.Due, figures.Progress, figures.Completed, figures.Eta, [.. steps], now);
    }

    /// <summary>The plan with shared strings: thousands of orders carry the same routing names.</summary>
    private static OrderPlan Shared(OrderPlan plan) => plan with
    {
        Product = IdPool.Shared(plan.Product),
        Routing = [.. plan.Routing.Select(r => r with { Step = IdPool.Shared(r.Step), Name = IdPool.SharedOrNull(r.Name) })],
    };

    private static bool SameFigures(OrderSummary a, OrderSummary b) => a with { AsOf = b.AsOf } == b;
}
