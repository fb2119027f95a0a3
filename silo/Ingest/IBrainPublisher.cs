namespace IndustryBrain.Silo.Ingest;

/// <summary>How the brain speaks to terminals: the embedded broker, or its client of an external broker.</summary>
public interface IBrainPublisher
{
    /// <summary>True while messages can be published and received.</summary>
    bool IsLive { get; }

    Task Publish(string topic, byte[] payload, bool retain, CancellationToken cancellationToken = default);
}
