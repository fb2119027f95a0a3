namespace IndustryBrain.Silo.Telemetry;

/// <summary>Telemetry:* keys.</summary>
public sealed class TelemetryOptions
{
    /// <summary>Trace one MQTT message in this many (when traces are exported); 0 traces none.</summary>
    public int TraceEvery { get; set; } = 1_000;
}
