using IndustryBrain.Codes;
using IndustryBrain.Contracts;
using IndustryBrain.Domain;
using IndustryBrain.Silo.Grains;

namespace IndustryBrain.Silo.Codes;

/// <summary>What an order's codes keep: the ranges, and the scan logs of the codes that were scanned (by serial).</summary>
public sealed class CodeBatchState
{
    public List<CodeRange> Ranges { get; set; } = [];
    public Dictionary<long, ScanSummary> Scans { get; set; } = [];
}

/// <summary>
/// One production order's codes under one prefix. An allocation is saved before the reply; scans are applied in
/// memory, saved on a short timer and on deactivation, and counted to the prefix (counts only) on the same timer.
/// A grain whose order has no range never saves: a forged code's scans leave nothing behind but a count.
/// </summary>
public sealed class CodeBatchGrain(
    [PersistentState("batch", StorageNames.Store)] IPersistentState<CodeBatchState> state,
    DistrictCalendar calendar,
    TimeProvider time) : Grain, ICodeBatchGrain
{
    private static readonly TimeSpan FlushEvery = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan FirstFlushAfter = TimeSpan.FromMilliseconds(50);
    private string _prefix = "";
    private string _order = "";
    private bool _dirty;
    private long _scans;
    private long _suspect;
    private string? _lastSuspect;
    private DateOnly _day;
    private FlushTimer _flush = null!;

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        _flush = new FlushTimer(this, () => Flush(report: true), time, FlushEvery, FirstFlushAfter);
        (_prefix, _order) = CodeKeys.SplitBatch(this.GetPrimaryKeyString());
        return Task.CompletedTask;
    }

    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken) =>
        Flush(report: reason.ReasonCode != DeactivationReasonCode.ShuttingDown);

    public async Task<AllocationOutcome> Allocate(CodeRequest request, int templateVersion, CodeLimits limits)
    {
        var (first, last, reason, detail) = SerialRanges.Next(state.State.Ranges, request.Quantity, limits.MaxPerRequest, limits.MaxPerOrder);
        if (reason is not null)
        {
            return new AllocationOutcome(null, reason, detail);
        }

        var range = new CodeRange(_prefix, _order, first, last, request.Template, templateVersion, request.Product,
            request.Attributes ?? [], request.Gtin, request.ProductionDate, time.GetUtcNow());
        state.State.Ranges.Add(range);
        try
        {
            await state.WriteStateAsync();
        }
        catch
        {
            state.State.Ranges.Remove(range);
            throw;
        }

        return new AllocationOutcome(range);
    }

    public Task<CodeRange[]> Ranges() => Task.FromResult(state.State.Ranges.ToArray());

    public Task<CodeLookup> Resolve(long serial, int warnAfter)
    {
        if (SerialRanges.Holding(state.State.Ranges, serial) is not { } range)
        {
            return Task.FromResult(new CodeLookup(CodeVerdicts.NotIssued, NotIssuedReasons.NoSuchRange, null, null));
        }

        state.State.Scans.TryGetValue(serial, out var scans);
        return Task.FromResult(new CodeLookup(CodeVerdicts.Genuine, null, range, scans, ScanLog.Warns(scans, warnAfter)));
    }

    public Task<CodeLookup> Scan(long serial, bool codeMatches, string? place, int warnAfter)
    {
        var now = time.GetUtcNow();
        var range = SerialRanges.Holding(state.State.Ranges, serial);
        if (range is null || !codeMatches)
        {
            Count(now, suspect: true, serial);
            return Task.FromResult(new CodeLookup(CodeVerdicts.NotIssued,
                range is null ? NotIssuedReasons.NoSuchRange : NotIssuedReasons.WrongCode, null, null));
        }

        state.State.Scans.TryGetValue(serial, out var before);
        var scans = new ScanLog(before).Record(now, place);
        state.State.Scans[serial] = scans;
        _dirty = true;
        Count(now, suspect: false, serial);
        return Task.FromResult(new CodeLookup(CodeVerdicts.Genuine, null, range, scans, ScanLog.Warns(scans, warnAfter)));
    }

    private void Count(DateTimeOffset now, bool suspect, long serial)
    {
        var day = calendar.DateOf(now);
        if (day != _day && (_scans > 0 || _suspect > 0))
        {
            Report();
        }

        _day = day;
        _scans++;
        if (suspect)
        {
            _suspect++;
            _lastSuspect = new CodeName(_prefix, _order, serial).Handle;
        }

        _flush.Arm();
    }

    /// <summary>Tells the prefix the counts since the last report (one-way: it never waits on the prefix).</summary>
    private void Report()
    {
        if (_scans == 0 && _suspect == 0)
        {
            return;
        }

        _ = GrainFactory.GetGrain<ICodePrefixGrain>(_prefix).ReportScans(_day, _scans, _suspect, _lastSuspect);
        _scans = 0;
        _suspect = 0;
        _lastSuspect = null;
    }

    private async Task Flush(bool report)
    {
        if (report)
        {
            Report();
        }

        if (_dirty)
        {
            _dirty = false;
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

        if (!_dirty && _scans == 0)
        {
            _flush.Disarm();
        }
    }
}
