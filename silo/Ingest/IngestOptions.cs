using IndustryBrain.Domain;

namespace IndustryBrain.Silo.Ingest;

/// <summary>The Ingest:* keys: how far a terminal's clock is trusted.</summary>
public sealed class IngestOptions
{
    /// <summary>A reading's or status's ts may be at most this many days before the moment the brain receives it.</summary>
    public double MaxTimestampAgeDays { get; set; } = TimestampWindow.Default.MaxAge.TotalDays;

    /// <summary>A reading's or status's ts may be at most this many seconds after the moment the brain receives it (clock drift).</summary>
    public double MaxTimestampAheadSeconds { get; set; } = TimestampWindow.Default.MaxAhead.TotalSeconds;

    /// <summary>The window as the parser applies it.</summary>
    public TimestampWindow Window() => new(TimeSpan.FromDays(MaxTimestampAgeDays), TimeSpan.FromSeconds(MaxTimestampAheadSeconds));

    /// <summary>Null when the settings are usable; otherwise why not.</summary>
    public string? Problem() =>
        MaxTimestampAgeDays is >= 0 and <= 3650 && MaxTimestampAheadSeconds is >= 0 and <= 86_400
            ? null
            : "Ingest:MaxTimestampAgeDays must be between 0 and 3650, Ingest:MaxTimestampAheadSeconds between 0 and 86400";
}
