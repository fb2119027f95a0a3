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

    public void Failed(int count)
    {
        Interlocked.Add(ref _failedTotal, count);
        _failed.Add(count);
    }

    public void Dispose() => _meter.Dispose();
}
