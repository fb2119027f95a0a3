namespace IndustryBrain.Silo.Mqtt;

/// <summary>The contract's Mqtt:* keys, the embedded broker's limits, and the tuning of the silo's client of an external broker.</summary>
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

    /// <summary>
    /// Messages the embedded broker holds for one session (a slow subscriber, or a terminal's rejects while it is
    /// offline) before it drops the oldest: what one client can make the brain hold.
    /// </summary>
    public int MaxPendingMessagesPerClient { get; set; } = 1_000;

    /// <summary>
    /// How long the embedded broker keeps the session of a client that went away (its subscriptions and queued
    /// messages), whatever the client asked for: MQTT 3.1.1 persistent sessions would otherwise never end.
    /// </summary>
    public int OfflineSessionExpirySeconds { get; set; } = 600;

    /// <summary>Open connections from one client address at most; beyond it a new connection is closed at once.</summary>
    public int MaxConnectionsPerAddress { get; set; } = 2_000;

    /// <summary>How long a new connection may take to send its CONNECT (and the broker to send a DISCONNECT) before it is closed.</summary>
    public int ConnectTimeoutSeconds { get; set; } = 10;

    /// <summary>The longest client id taken (MQTT 5 servers must take 23 characters); a longer one is refused (client identifier not valid).</summary>
    public int MaxClientIdLength { get; set; } = 128;

    /// <summary>
    /// True (the default): the embedded broker admits only terminals with a credential from the registry.
    /// False: it also admits clients without username and password, with no topic restriction beyond the
    /// brain's own topics (for a trusted network, tests and benchmarks); a client that does present
    /// credentials is still checked and held to its own topics.
    /// </summary>
    public bool RequireCredentials { get; set; } = true;

    /// <summary>Largest payload taken (at most the contract's 64 KiB); larger ones are refused with too-large.</summary>
    public int MaxPayloadBytes { get; set; } = ContractMaxPayloadBytes;

    /// <summary>
    /// False (the default): the embedded broker hands terminals' counts and statuses to the brain only. True: it
    /// also routes them to other subscribers (a trusted tool watching ib/+/+/count), at a cost per reading that
    /// grows with the number of connected clients.
    /// </summary>
    public bool ForwardTerminalMessages { get; set; }

    /// <summary>Open MQTT connections at most; a connection beyond it is closed at once.</summary>
    public int MaxConnections { get; set; } = 50_000;

    /// <summary>Publishes per second one terminal (username, or client id when anonymous) may make, sustained; 0 turns the limit off.</summary>
    public int PublishesPerSecond { get; set; } = 1_000;

    /// <summary>Publishes one terminal may make at once above the sustained rate.</summary>
    public int PublishBurst { get; set; } = 2_000;

    /// <summary>External broker: the client id; empty means "industry-brain-{silo name}", stable across restarts.</summary>
    public string ClientId { get; set; } = "";

    /// <summary>External broker: how long the broker keeps this silo's session (and queues its share) after a disconnect.</summary>
    public int SessionExpirySeconds { get; set; } = 120;

    /// <summary>
    /// External broker: how long the session of the last silo to stop cleanly is kept, queueing what
    /// terminals publish while the whole brain is stopped (a silo that stops while others run ends its session).
    /// </summary>
    public int LastSiloSessionExpirySeconds { get; set; } = 86_400;

    /// <summary>External broker: MQTT 5 Receive Maximum, the QoS 1 messages the broker may have in flight to this silo.</summary>
    public int ReceiveMaximum { get; set; } = 65535;

    /// <summary>External broker: the client's socket and stream buffer, in bytes (MQTTnet's own default is 8 KiB).</summary>
    public int SocketBufferBytes { get; set; } = 1 << 20;

    public int KeepAliveSeconds { get; set; } = 15;

    /// <summary>External broker: the longest wait between two connection attempts.</summary>
    public int MaxReconnectDelayMs { get; set; } = 5_000;

    /// <summary>
    /// External broker: the broker's $SYS counter of messages it dropped for slow subscribers (Mosquitto's by
    /// default); a rise begins a new epoch. Empty: not watched.
    /// </summary>
    public string DropsTopic { get; set; } = "$SYS/broker/publish/messages/dropped";

    /// <summary>
    /// External broker: the shortest time between two epochs begun for drops. The counter is the broker's
    /// (every client's drops), so a stalled subscriber of someone else's would otherwise renew it at every resend.
    /// </summary>
    public int DropsEpochIntervalSeconds { get; set; } = 60;

    public string? Username { get; set; }

    public string? Password { get; set; }


    /// <summary>The external broker's host and port, from mqtt://host:port (port 1883 when absent).</summary>
    public (string Host, int Port) BrokerEndpoint()
    {
        var uri = new Uri(Broker);
        return (uri.Host, uri.IsDefaultPort || uri.Port <= 0 ? 1883 : uri.Port);
    }

    public bool Embedded => string.IsNullOrWhiteSpace(Broker);

    /// <summary>The largest MQTT packet the embedded broker reads; a larger one closes the connection before it is read.</summary>
    public int MaxPacketBytes => MaxPayloadBytes + PacketOverheadBytes;
}
