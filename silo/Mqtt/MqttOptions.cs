namespace IndustryBrain.Silo.Mqtt;

/// <summary>The contract's Mqtt:* keys, and the embedded broker's limits.</summary>
public sealed class MqttOptions
{
    /// <summary>The contract's largest payload: 64 KiB.</summary>
    public const int ContractMaxPayloadBytes = 64 * 1024;

    /// <summary>What an MQTT packet may carry besides its payload: fixed header, topic, packet id, properties.</summary>
    public const int PacketOverheadBytes = 8 * 1024;

    /// <summary>Empty: run the embedded broker. mqtt://host:port: use that external broker.</summary>
    public string Broker { get; set; } = "";

    /// <summary>Where the embedded broker listens.</summary>
    public string Host { get; set; } = "127.0.0.1";

    public int Port { get; set; } = 1883;

    /// <summary>Messages the embedded broker holds for one slow subscriber before it drops the oldest.</summary>
    public int MaxPendingMessagesPerClient { get; set; } = 100_000;

    /// <summary>
    /// True (the default): the embedded broker admits only terminals with a credential from the registry.
    /// False: it also admits clients without username and password, with no topic restriction beyond the
    /// brain's own topics (for a trusted network, tests and benchmarks); a client that does present
    /// credentials is still checked and held to its own topics.
    /// </summary>
    public bool RequireCredentials { get; set; } = true;

    /// <summary>Largest payload taken (at most the contract's 64 KiB); larger ones are refused with too-large.</summary>
    public int MaxPayloadBytes { get; set; } = ContractMaxPayloadBytes;

    /// <summary>Open MQTT connections at most; a connection beyond it is closed at once.</summary>
    public int MaxConnections { get; set; } = 50_000;

    /// <summary>Publishes per second one terminal (username, or client id when anonymous) may make, sustained; 0 turns the limit off.</summary>
    public int PublishesPerSecond { get; set; } = 1_000;

    /// <summary>Publishes one terminal may make at once above the sustained rate.</summary>
    public int PublishBurst { get; set; } = 2_000;

    public bool Embedded => string.IsNullOrWhiteSpace(Broker);

    /// <summary>The largest MQTT packet the embedded broker reads; a larger one closes the connection before it is read.</summary>
    public int MaxPacketBytes => MaxPayloadBytes + PacketOverheadBytes;
}
