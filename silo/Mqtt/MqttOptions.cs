namespace IndustryBrain.Silo.Mqtt;

/// <summary>The contract's Mqtt:* keys.</summary>
public sealed class MqttOptions
{
    /// <summary>Empty: run the embedded broker. mqtt://host:port: use that external broker.</summary>
    public string Broker { get; set; } = "";

    /// <summary>Where the embedded broker listens.</summary>
    public string Host { get; set; } = "127.0.0.1";

    public int Port { get; set; } = 1883;

    /// <summary>Messages the embedded broker holds for one slow subscriber before it drops the oldest.</summary>
    public int MaxPendingMessagesPerClient { get; set; } = 100_000;

    public bool Embedded => string.IsNullOrWhiteSpace(Broker);
}
