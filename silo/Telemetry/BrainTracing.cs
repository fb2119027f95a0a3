using System.Diagnostics;
using OpenTelemetry.Trace;

namespace IndustryBrain.Silo.Telemetry;

/// <summary>
/// Traces from an MQTT message to the grain that applies it. Tracing every message would cost the hot
/// path more than the work itself, so the ingest picks one message in <see cref="TelemetryOptions.TraceEvery"/>
/// and starts a trace for it; its grain call (propagated by Orleans) joins that trace.
/// </summary>
public static class BrainTracing
{
    public const string SourceName = "IndustryBrain.Ingest";
    public const string ReceiveName = "ib.ingest.receive";
    public const string ApplyName = "ib.ingest.apply";

    public static readonly ActivitySource Source = new(SourceName);

    /// <summary>
    /// Keeps the traces the brain chose to start (its own ib.* spans, and HTTP requests), everything
    /// under a kept trace, and drops other roots: Orleans would otherwise start one for every timer tick
    /// and every untraced grain call.
    /// </summary>
    public sealed class ChosenRootsSampler : Sampler
    {
        private static readonly SamplingResult Keep = new(SamplingDecision.RecordAndSample);
        private static readonly SamplingResult Drop = new(SamplingDecision.Drop);

        public override SamplingResult ShouldSample(in SamplingParameters samplingParameters)
        {
            if (samplingParameters.ParentContext.TraceId != default)
            {
                return (samplingParameters.ParentContext.TraceFlags & ActivityTraceFlags.Recorded) != 0 ? Keep : Drop;
            }

            return samplingParameters.Kind == ActivityKind.Server || samplingParameters.Name.StartsWith("ib.", StringComparison.Ordinal)
                ? Keep
                : Drop;
        }
    }
}
