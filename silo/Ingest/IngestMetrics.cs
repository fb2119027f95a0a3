using System.Diagnostics.Metrics;

namespace IndustryBrain.Silo.Ingest;

/// <summary>The ingest's counters, exported through OpenTelemetry and readable in process.</summary>
public sealed class IngestMetrics : IDisposable
{
    public const string MeterName = "IndustryBrain";
    private readonly Meter _meter = new(MeterName);
    private readonly Counter<long> _received;
    private readonly Counter<long> _applied;
    private readonly Counter<long> _duplicates;
    private readonly Counter<long> _rejected;
    private readonly Counter<long> _failed;
    private readonly Histogram<double> _lag;
    private readonly Counter<long> _epochs;
    private long _receivedTotal;
    private long _appliedTotal;
    private long _duplicateTotal;
    private long _rejectedTotal;
    private long _failedTotal;

    public IngestMetrics()
    {
        _received = _meter.CreateCounter<long>("ib.readings.received", "{reading}", "Readings accepted from MQTT for applying");
        _applied = _meter.CreateCounter<long>("ib.readings.applied", "{reading}", "Readings applied to order state");
        _duplicates = _meter.CreateCounter<long>("ib.readings.duplicate", "{reading}", "Readings ignored as duplicates");
        _rejected = _meter.CreateCounter<long>("ib.messages.rejected", "{message}", "Messages or readings rejected, by reason");
        _failed = _meter.CreateCounter<long>("ib.readings.failed", "{reading}", "Readings whose grain call failed after retries");
        _lag = _meter.CreateHistogram<double>("ib.ingest.lag", "s", "From taking a message off MQTT to its readings applied in the order grain",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 10, 30] });
        _epochs = _meter.CreateCounter<long>("ib.epochs", "{epoch}", "New brain epochs this silo began, by cause");
    }

    public Meter Meter => _meter;

    public long ReceivedTotal => Interlocked.Read(ref _receivedTotal);
    public long AppliedTotal => Interlocked.Read(ref _appliedTotal);
    public long DuplicateTotal => Interlocked.Read(ref _duplicateTotal);
    public long RejectedTotal => Interlocked.Read(ref _rejectedTotal);
    public long FailedTotal => Interlocked.Read(ref _failedTotal);

    public void Received(int count)
    {
        Interlocked.Add(ref _receivedTotal, count);
        _received.Add(count);
    }

    public void Applied(int applied, int duplicates)
    {
        Interlocked.Add(ref _appliedTotal, applied);
        Interlocked.Add(ref _duplicateTotal, duplicates);
        _applied.Add(applied);
        _duplicates.Add(duplicates);
    }

    public void Rejected(string reason)
    {
        Interlocked.Increment(ref _rejectedTotal);
        _rejected.Add(1, new KeyValuePair<string, object?>("reason", reason));
    }

    public void Lag(TimeSpan lag) => _lag.Record(lag.TotalSeconds);

    public void EpochBegun(string cause) => _epochs.Add(1, new KeyValuePair<string, object?>("cause", cause));

    /// <summary>A gauge read at each export (terminals online, active orders, readings pending).</summary>
    public void Gauge(string name, string unit, string description, Func<long> read) =>
        _meter.CreateObservableGauge(name, read, unit, description);

    public void Failed(int count)
    {
        Interlocked.Add(ref _failedTotal, count);
        _failed.Add(count);
    }

    public void Dispose() => _meter.Dispose();
}
