using System.Diagnostics.Metrics;
using IndustryBrain.Silo.Ingest;

namespace IndustryBrain.Silo.Security;

/// <summary>What the brain refused at its doors, by reason, exported through OpenTelemetry and readable in process.</summary>
public sealed class SecurityMetrics : IDisposable
{
    private readonly Meter _meter = new(IngestMetrics.MeterName);
    private readonly Counter<long> _http;
    private readonly Counter<long> _mqtt;
    private readonly Counter<long> _throttled;
    private long _httpTotal;
    private long _mqttTotal;
    private long _throttledTotal;

    public SecurityMetrics()
    {
        _http = _meter.CreateCounter<long>("ib.http.refused", "{request}", "HTTP requests refused before reaching an endpoint, by reason");
        _mqtt = _meter.CreateCounter<long>("ib.mqtt.refused", "{event}", "MQTT connections, packets and subscriptions refused, by reason");
        _throttled = _meter.CreateCounter<long>("ib.mqtt.throttled", "{message}", "MQTT publishes held back by the per-terminal rate limit");
    }

    public long HttpRefusedTotal => Interlocked.Read(ref _httpTotal);
    public long MqttRefusedTotal => Interlocked.Read(ref _mqttTotal);
    public long ThrottledTotal => Interlocked.Read(ref _throttledTotal);

    public void HttpRefused(string reason)
    {
        Interlocked.Increment(ref _httpTotal);
        _http.Add(1, new KeyValuePair<string, object?>("reason", reason));
    }

    public void MqttRefused(string reason)
    {
        Interlocked.Increment(ref _mqttTotal);
        _mqtt.Add(1, new KeyValuePair<string, object?>("reason", reason));
    }

    public void Throttled()
    {
        Interlocked.Increment(ref _throttledTotal);
        _throttled.Add(1);
    }

    public void Dispose() => _meter.Dispose();
}
