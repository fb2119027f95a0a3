using System.Diagnostics.Metrics;
using IndustryBrain.Silo.Ingest;

namespace IndustryBrain.Silo.Telemetry;

/// <summary>
/// Bundle events as the metric <c>ib.bundle.events{kind}</c>: opened, pledged, withdrawn, closed, failed,
/// cancelled. On the brain's meter, so /metrics and OTLP carry it with the ingest's counters.
/// </summary>
public static class BundleEvents
{
    private static readonly Meter Meter = new(IngestMetrics.MeterName);
    private static readonly Counter<long> Events = Meter.CreateCounter<long>("ib.bundle.events", "{event}", "Bundle events by kind");

    public static void Record(string kind) => Events.Add(1, new KeyValuePair<string, object?>("kind", kind));
}
