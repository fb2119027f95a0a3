using IndustryBrain.Codes;
using IndustryBrain.Contracts;
using IndustryBrain.Domain;
using IndustryBrain.Silo.Grains;

namespace IndustryBrain.Silo.Codes;

/// <summary>
/// What an order's codes keep: its ranges as spans (bounds, the prefix's catalogue entry they describe, when
/// allocated: a few dozen bytes each), and the scan logs of the codes that were scanned (by serial).
/// </summary>
public sealed class CodeBatchState
{
    public List<CodeSpan> Spans { get; set; } = [];

    /// <summary>Ranges as stored before December 2026, each with its own description; kept as they are.</summary>
    public List<CodeRange>? Ranges { get; set; }

    public Dictionary<long, ScanSummary> Scans { get; set; } = [];
}

/// <summary>One allocated range as stored: serials, the prefix's catalogue entry, when, and the production date.</summary>
public sealed record CodeSpan(long First, long Last, int Product, DateTimeOffset AllocatedAt, DateOnly? ProductionDate = null);

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
    private List<CodeRange> _ranges = [];

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        _flush = new FlushTimer(this, () => Flush(report: true), time, FlushEvery, FirstFlushAfter);
        (_prefix, _order) = CodeKeys.SplitBatch(this.GetPrimaryKeyString());
        _ranges = [.. state.State.Ranges ?? []];
        var spans = state.State.Spans;
        if (spans.Count > 0)
        {
            // The descriptions are the prefix's (its catalogue): asked for once an activation.
            var indexes = spans.Select(s => s.Product).Distinct().ToArray();
            var products = await GrainFactory.GetGrain<ICodePrefixGrain>(_prefix).Products(indexes);
            var byIndex = indexes.Zip(products).ToDictionary(p => p.First, p => p.Second);
            _ranges.AddRange(spans.Select(s => Range(s, byIndex[s.Product])));
        }
    }

    private CodeRange Range(CodeSpan span, CodeProduct product) =>
        new(_prefix, _order, span.First, span.Last, product.Template, product.TemplateVersion, product.Product,
            product.Attributes, product.Gtin, span.ProductionDate, span.AllocatedAt);

    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken) =>
        Flush(report: reason.ReasonCode != DeactivationReasonCode.ShuttingDown);

    public async Task<AllocationOutcome> Allocate(CodeRequest request, int productIndex, CodeProduct product, CodeLimits limits)
    {
        var (first, last, reason, detail) = SerialRanges.Next(_ranges, request.Quantity, limits.MaxPerRequest, limits.MaxPerOrder);
        if (reason is not null)
        {
            return new AllocationOutcome(null, reason, detail);
        }

        var span = new CodeSpan(first, last, productIndex, time.GetUtcNow(), request.ProductionDate);
        state.State.Spans.Add(span);
        try
        {
            await state.WriteStateAsync();
        }
        catch
        {
            state.State.Spans.Remove(span);
            throw;
        }

        var range = Range(span, product);
        _ranges.Add(range);
        return new AllocationOutcome(range);
    }

    public Task<CodeRange[]> Ranges() => Task.FromResult(_ranges.ToArray());

    public Task<CodeLookup> Resolve(long serial, int warnAfter)
    {
        if (SerialRanges.Holding(_ranges, serial) is not { } range)
        {
            return Task.FromResult(new CodeLookup(CodeVerdicts.NotIssued, NotIssuedReasons.NoSuchRange, null, null));
        }

        state.State.Scans.TryGetValue(serial, out var scans);
        return Task.FromResult(new CodeLookup(CodeVerdicts.Genuine, null, range, scans, ScanLog.Warns(scans, warnAfter)));
    }

    public Task<CodeLookup> Scan(long serial, bool codeMatches, string? place, int warnAfter)
    {
        var now = time.GetUtcNow();
        var range = SerialRanges.Holding(_ranges, serial);
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
