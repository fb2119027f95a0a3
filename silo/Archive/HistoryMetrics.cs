using System.Diagnostics.Metrics;
using IndustryBrain.Silo.Ingest;

namespace IndustryBrain.Silo.Archive;

/// <summary>The archive's counters (meter <see cref="IngestMetrics.MeterName"/>), exported through OpenTelemetry and readable in process.</summary>
public sealed class HistoryMetrics : IDisposable
{
    private readonly Meter _meter = new(IngestMetrics.MeterName);
    private readonly Counter<long> _written;
    private readonly Counter<long> _dropped;
    private readonly Counter<long> _errors;
    private readonly Counter<long> _spooled;
    private readonly Histogram<double> _batchSeconds;
    private long _writtenTotal;
    private long _droppedTotal;
    private long _errorsTotal;
    private long _readingsWritten;

    public HistoryMetrics()
    {
        _written = _meter.CreateCounter<long>("ib.archive.written", "{record}", "Records written to the history archive, by kind");
        _dropped = _meter.CreateCounter<long>("ib.archive.dropped", "{record}", "Records not archived, by kind and cause (spool-full, spool-failed, stopped, out-of-range, write-failed)");
        _spooled = _meter.CreateCounter<long>("ib.archive.spooled", "{record}", "Records put in the archive's spool on disk (more waited than memory keeps, or a stop)");
        _errors = _meter.CreateCounter<long>("ib.archive.errors", "{batch}", "Archive batches that failed and were retried");
        _batchSeconds = _meter.CreateHistogram<double>("ib.archive.batch", "s", "Time to write one archive batch",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 30] });
    }

    public long WrittenTotal => Interlocked.Read(ref _writtenTotal);
    public long ReadingsWritten => Interlocked.Read(ref _readingsWritten);
    public long DroppedTotal => Interlocked.Read(ref _droppedTotal);
    public long ErrorsTotal => Interlocked.Read(ref _errorsTotal);

    public void Written(ArchiveKind kind, int count)
    {
        if (count == 0)
        {
            return;
        }

        Interlocked.Add(ref _writtenTotal, count);
        if (kind == ArchiveKind.Readings)
        {
            Interlocked.Add(ref _readingsWritten, count);
        }

        _written.Add(count, new KeyValuePair<string, object?>("kind", Name(kind)));
    }

    public void Dropped(ArchiveKind kind, int count, string cause)
    {
        Interlocked.Add(ref _droppedTotal, count);
        _dropped.Add(count, new KeyValuePair<string, object?>("kind", Name(kind)), new KeyValuePair<string, object?>("cause", cause));
    }

    public void Spooled(int count) => _spooled.Add(count);

    public void Error()
    {
        Interlocked.Increment(ref _errorsTotal);
        _errors.Add(1);
    }

    public void Batch(TimeSpan took) => _batchSeconds.Record(took.TotalSeconds);

    /// <summary>A gauge read at each export (queue length, lag).</summary>
    public void Gauge(string name, string unit, string description, Func<double> read) =>
        _meter.CreateObservableGauge(name, read, unit, description);

    public static string Name(ArchiveKind kind) => kind switch
    {
        ArchiveKind.Readings => "reading",
        ArchiveKind.Status => "status",
        ArchiveKind.Day => "day",
        _ => "bundle",
    };

    public void Dispose() => _meter.Dispose();
}
