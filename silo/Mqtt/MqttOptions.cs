namespace IndustryBrain.Silo.Mqtt;

/// <summary>The contract's Mqtt:* keys, and the tuning of the silo's client of an external broker.</summary>
public sealed class MqttOptions
{
    /// <summary>Empty: run the embedded broker. mqtt://host:port: use that external broker.</summary>
    public string Broker { get; set; } = "";

    /// <summary>Where the embedded broker listens.</summary>
    public string Host { get; set; } = "127.0.0.1";

    public int Port { get; set; } = 1883;

    /// <summary>Messages the embedded broker holds for one slow subscriber before it drops the oldest.</summary>
    public int MaxPendingMessagesPerClient { get; set; } = 100_000;

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

    public bool Embedded => string.IsNullOrWhiteSpace(Broker);

    /// <summary>The external broker's host and port, from mqtt://host:port (port 1883 when absent).</summary>
    public (string Host, int Port) BrokerEndpoint()
    {
        var uri = new Uri(Broker);
        return (uri.Host, uri.IsDefaultPort || uri.Port <= 0 ? 1883 : uri.Port);
    }
}
