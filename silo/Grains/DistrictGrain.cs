using IndustryBrain.Codes;
using IndustryBrain.Contracts;
using IndustryBrain.Domain;
using IndustryBrain.Silo.Cockpit;

namespace IndustryBrain.Silo.Grains;

/// <summary>
/// What the district keeps in storage: the latest roll-up of each enterprise and bundle, and a chain map set through the API.
/// The roll-ups, recorded days and code scans are held by the grain (<see cref="DistrictTally"/>) while it is active.
/// </summary>
public sealed class DistrictState : IHeldState
{
    public List<EnterpriseRollup> Enterprises { get; set; } = [];
    public List<BundleRollup> Bundles { get; set; } = [];
    public List<DailyOutput> Recorded { get; set; } = [];
    public ChainMap? Chain { get; set; }
    public Dictionary<string, SalesRollup> Sales { get; set; } = new(StringComparer.Ordinal);
    public List<CodeScanRollup> CodeScans { get; set; } = [];

    public void Release()
    {
        Enterprises = [];
        Bundles = [];
        Recorded = [];
        CodeScans = [];
    }
}

/// <summary>
/// The district: running totals over its enterprises' and bundles' roll-ups, and the cockpit view built
/// from them (rebuilt only when something changed or the day turned). Roll-ups are saved every few
/// seconds while they change; a chain map is saved before the reply. Once a second it asks the
/// enterprises whose orders passed their due time to roll up again, so late orders show as late even
/// when nothing else happens, and wakes open bundles past their deadline, so they close at once.
/// </summary>
public sealed class DistrictGrain(
    [PersistentState("district", StorageNames.Store)] IPersistentState<DistrictState> state,
    ConfiguredChainMap configured,
    DistrictCalendar calendar,
    TimeProvider time,
    ILogger<DistrictGrain> logger) : Grain, IDistrictGrain
{
    private static readonly TimeSpan TickEvery = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan SaveEvery = TimeSpan.FromSeconds(5);
    private DistrictTally _tally = new();
    private long _version;
    private DateOnly _today;
    private CockpitView? _view;
    private bool _dirty;
    private DateTimeOffset _savedAt;
    private readonly Dictionary<string, CodeScanRollup> _codeScans = new(StringComparer.Ordinal);

    // Not saved: every firm's board tells it again within a minute of its next reading or status.
    private readonly Dictionary<string, FirmOee> _oee = new(StringComparer.Ordinal);

    private ChainMap Chain => state.State.Chain ?? configured.Map;

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        var saved = state.State;
        _tally = DistrictTally.Restore(new TallySnapshot(saved.Enterprises, saved.Bundles, saved.Recorded));
        foreach (var scans in saved.CodeScans)
        {
            _codeScans[scans.Prefix] = scans;
        }

        saved.Release();

        var now = time.GetUtcNow();
        _today = calendar.DateOf(now);
        _savedAt = now;
        _version = now.ToUnixTimeMilliseconds();
        this.RegisterGrainTimer(Tick, new GrainTimerCreationOptions(TickEvery, TickEvery) { KeepAlive = true });
        return Task.CompletedTask;
    }

    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken) => Save();

    public Task ReportEnterprise(EnterpriseRollup rollup)
    {
        _tally.Apply(rollup);
        Changed();
        return Task.CompletedTask;
    }

    public Task ReportBundle(BundleRollup rollup)
    {
        _tally.Apply(rollup);
        Changed();
        return Task.CompletedTask;
    }

    public Task ReportOee(FirmOee oee)
    {
        _oee[oee.Enterprise] = oee;
        Changed();
        return Task.CompletedTask;
    }

    public Task ReportSales(SalesRollup sales)
    {
        state.State.Sales[sales.Enterprise] = sales;
        Changed();
        return Task.CompletedTask;
    }

    public Task ReportCodeScans(CodeScanRollup rollup)
    {
        _codeScans[rollup.Prefix] = rollup;
        Changed();
        return Task.CompletedTask;
    }

    public async Task RecordHistory(DailyOutput[] days)
    {
        _tally.Record(days);
        Changed();
        await Save();
    }

    public Task<CockpitView> GetCockpit()
    {
        var now = time.GetUtcNow();
        TurnDay(now);
        if (_view is null || _view.Version != _version)
        {
            // Sales value beside output value: the firms' sales orders from their ERP documents.
            var today = calendar.DateOf(now);
            var counted = CounterfeitAlerts.Add(_tally.View(now, calendar, Chain, _version), _codeScans.Values, _tally, DistrictTally.MaxAlerts);
            _view = ChainOee.Add(counted, _oee.Values, _tally.Enterprises, today) with
            {
                Sales = new DistrictSales(
                    state.State.Sales.Values.Sum(s => s.OrderedValue),
                    state.State.Sales.Values.Where(s => s.Date == today).Sum(s => s.OrderedOnDate)),
            };
        }

        return Task.FromResult(_view with { AsOf = calendar.Local(now) });
    }

    public Task<EnterprisePage> ListEnterprises(EnterpriseQuery query) =>
        Task.FromResult(_tally.ListEnterprises(query, calendar.DateOf(time.GetUtcNow())));

    public Task<List<OrderHolder>> OrderHolders(OrderHolderQuery query) => Task.FromResult(_tally.OrderHolders(query, time.GetUtcNow()));

    public Task<ChainMap> GetChain() => Task.FromResult(Chain);

    public async Task<ChainMap> SetChain(ChainMap? map)
    {
        if (map is not null && ChainMaps.Problem(map) is { } problem)
        {
            throw new ArgumentException(problem, nameof(map));
        }

        state.State.Chain = map is null ? null : map with { Edges = map.Edges ?? [] };
        Changed();
        await Save();
        return Chain;
    }

    private void Changed()
    {
        _version++;
        _dirty = true;
    }

    /// <summary>A new district day is a new view even when no figure changed.</summary>
    private void TurnDay(DateTimeOffset now)
    {
        var today = calendar.DateOf(now);
        if (today != _today)
        {
            _today = today;
            _version++;
        }
    }

    private async Task Tick()
    {
        var now = time.GetUtcNow();
        TurnDay(now);
        foreach (var enterprise in _tally.StaleBy(now))
        {
            // One-way: the enterprise answers with ReportEnterprise, which must not wait behind this tick.
            _ = GrainFactory.GetGrain<IEnterpriseGrain>(enterprise).RollUp();
        }

        foreach (var bundle in _tally.OverdueBundles(now))
        {
            // One-way too: waking a bundle past its deadline closes it, and it reports back with ReportBundle.
            _ = GrainFactory.GetGrain<IBundleGrain>(bundle).Get();
        }

        if (_dirty && now - _savedAt >= SaveEvery)
        {
            try
            {
                await Save();
            }
            catch (Exception e)
            {
                logger.LogWarning(e, "Saving the district's roll-ups failed; retrying on the next tick");
            }
        }
    }

    private async Task Save()
    {
        if (!_dirty)
        {
            return;
        }

        _dirty = false;
        _savedAt = time.GetUtcNow();
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

    /// <summary>Fills in what the tally and the code scans hold, for a save.</summary>
    private void Snapshot(DistrictState saving)
    {
        (saving.Enterprises, saving.Bundles, saving.Recorded) = _tally.Snapshot();
        saving.CodeScans = [.. _codeScans.Values.Where(s => s.Date >= _today.AddDays(-1))];
    }
}
