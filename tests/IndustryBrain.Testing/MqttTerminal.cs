using System.Text;
using System.Threading.Channels;
using MQTTnet;
using MQTTnet.Exceptions;
using MQTTnet.Formatter;
using MQTTnet.Protocol;

namespace IndustryBrain.Testing;

/// <summary>A message a terminal received.</summary>
public sealed record Received(string Topic, string Payload, bool Retain);

/// <summary>
/// A factory terminal (or an intruder): a real MQTTnet client over TCP to the brain's broker, publishing on its
/// <c>ib/{enterprise}/{terminal}/</c> topics and keeping what it receives for the test to read. Every test and
/// benchmark opens its MQTT clients here.
/// </summary>
public sealed class MqttTerminal : IAsyncDisposable
{
    private readonly Channel<Received> _received = Channel.CreateUnbounded<Received>();
    private readonly int _port;
    private readonly Func<MqttClientOptionsBuilder, MqttClientOptionsBuilder> _shape;
    private TaskCompletionSource<MqttClientDisconnectedEventArgs> _dropped = NewDropped();
    private volatile bool _stalled;

    private MqttTerminal(int port, string enterprise, string terminal, Func<MqttClientOptionsBuilder, MqttClientOptionsBuilder> shape)
    {
        _port = port;
        _shape = shape;
        Client = new MqttClientFactory().CreateMqttClient();
        Enterprise = enterprise;
        Terminal = terminal;
        Client.ApplicationMessageReceivedAsync += e =>
        {
            var message = e.ApplicationMessage;
            if (_stalled)
            {
                e.AutoAcknowledge = false;
            }

            var received = new Received(message.Topic, message.ConvertPayloadToString() ?? "", message.Retain);
            _received.Writer.TryWrite(received);
            OnReceived?.Invoke(received);
            return Task.CompletedTask;
        };
        Client.DisconnectedAsync += e =>
        {
            _dropped.TrySetResult(e);
            return Task.CompletedTask;
        };
    }

    public IMqttClient Client { get; }

    /// <summary>What the broker answered to the latest CONNECT.</summary>
    public MqttClientConnectResult Result { get; private set; } = null!;

    public string Enterprise { get; }

    public string Terminal { get; }

    public string CountTopic => Topic(Enterprise, Terminal, "count");

    public string StatusTopic => Topic(Enterprise, Terminal, "status");

    public string RejectTopic => Topic(Enterprise, Terminal, "reject");

    public bool IsConnected => Client.IsConnected;

    /// <summary>Whether the broker accepted the connection and it is still open.</summary>
    public bool Connected => Result.ResultCode == MqttClientConnectResultCode.Success && Client.IsConnected;

    /// <summary>Completes when the broker closes the connection (after <see cref="Reconnect"/>, the new one).</summary>
    public Task<MqttClientDisconnectedEventArgs> Dropped => _dropped.Task;

    /// <summary>
    /// Called with each message as it arrives (it is also kept for <see cref="Next"/>), on the client's receive loop:
    /// whatever waits on the broker, such as publishing, belongs on another task.
    /// </summary>
    public Action<Received>? OnReceived { get; set; }

    /// <summary>Connects as the contract asks a terminal to: MQTT 5 by default, with a retained Last Will of offline.</summary>
    public static Task<MqttTerminal> Connect(int port, string enterprise, string terminal,
        MqttProtocolVersion version = MqttProtocolVersion.V500, bool lastWill = true) =>
        ConnectWith(port, enterprise, terminal, options =>
        {
            options.WithProtocolVersion(version);
            return lastWill
                ? options
                    .WithWillTopic(Topic(enterprise, terminal, "status"))
                    .WithWillPayload("""{"state":"offline"}""")
                    .WithWillRetain(true)
                    .WithWillQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce)
                : options;
        });

    /// <summary>Connects with a username and password (none when null), MQTT 5, no Last Will: the security tests' client.</summary>
    public static Task<MqttTerminal> ConnectAs(int port, string? username, string? password, string? clientId = null)
    {
        var parts = username?.Split('/', 2);
        return ConnectWith(port, parts?[0] ?? "", parts is { Length: 2 } ? parts[1] : "", options =>
        {
            options.WithClientId(clientId ?? "t-" + Guid.NewGuid().ToString("N"));
            return username is null ? options : options.WithCredentials(username, password);
        });
    }

    /// <summary>
    /// Connects to the broker on loopback <paramref name="port"/> with the defaults (MQTT 5, clean start, a fresh client
    /// id, 30 s timeout) as <paramref name="shape"/> changes them: MQTT 3.1.1, clean session off, a fixed client id,
    /// credentials, a receive maximum, a Last Will. The broker's answer is in <see cref="Result"/>.
    /// </summary>
    public static async Task<MqttTerminal> ConnectWith(int port, string enterprise, string terminal,
        Func<MqttClientOptionsBuilder, MqttClientOptionsBuilder> shape)
    {
        var connected = new MqttTerminal(port, enterprise, terminal, shape);
        try
        {
            connected.Result = await connected.Client.ConnectAsync(connected.Options());
            return connected;
        }
        catch
        {
            connected.Client.Dispose();
            throw;
        }
    }

    /// <summary>
    /// A benchmark's publisher under a fixed client id, with MQTTnet's default timeout of 100 s: under a bench's load a
    /// publish may wait that long for its PUBACK.
    /// </summary>
    public static Task<MqttTerminal> ConnectPublisher(int port, string enterprise, string clientId) =>
        ConnectWith(port, enterprise, clientId, options => options.WithClientId(clientId).WithTimeout(TimeSpan.FromSeconds(100)));

    /// <summary>
    /// Connects again after the connection was lost, shaped as at first (a client id the shape makes afresh is fresh
    /// again). Subscriptions of a clean start are gone: subscribe again.
    /// </summary>
    public async Task Reconnect()
    {
        if (_dropped.Task.IsCompleted)
        {
            _dropped = NewDropped();
        }

        Result = await Client.ConnectAsync(Options());
    }

    /// <summary>Stops acknowledging what it receives, as a stalled subscriber does: the broker queues what follows for it, up to its limit.</summary>
    public void Stall() => _stalled = true;

    /// <summary>Disconnects cleanly (so no Last Will), if connected; <see cref="Reconnect"/> opens it again.</summary>
    public async Task Leave()
    {
        if (Client.IsConnected)
        {
            await Client.DisconnectAsync();
        }
    }

    private MqttClientOptions Options() => _shape(new MqttClientOptionsBuilder()
            .WithTcpServer("127.0.0.1", _port)
            .WithProtocolVersion(MqttProtocolVersion.V500)
            .WithClientId($"{Enterprise}.{Terminal}.{Guid.NewGuid():N}")
            .WithCleanStart(true)
            .WithTimeout(TimeSpan.FromSeconds(30)))
        .Build();

    private static string Topic(string enterprise, string terminal, string leaf) => $"ib/{enterprise}/{terminal}/{leaf}";

    private static TaskCompletionSource<MqttClientDisconnectedEventArgs> NewDropped() =>
        new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Subscribes; fails unless the broker granted the subscription.</summary>
    public async Task Subscribe(string topicFilter)
    {
        var code = await TrySubscribe(topicFilter);
        if ((int)code > 2)
        {
            throw new InvalidOperationException($"subscribing to {topicFilter} answered {code}");
        }
    }

    /// <summary>Subscribes and answers what the broker said (granted QoS or a refusal).</summary>
    public async Task<MqttClientSubscribeResultCode> TrySubscribe(string topicFilter)
    {
        var result = await Client.SubscribeAsync(new MqttClientSubscribeOptionsBuilder()
            .WithTopicFilter(topicFilter, MqttQualityOfServiceLevel.AtLeastOnce)
            .Build());
        return result.Items.Single().ResultCode;
    }

    public Task<MqttClientPublishResult> Publish(string topic, string payload, bool retain = false,
        MqttQualityOfServiceLevel qos = MqttQualityOfServiceLevel.AtLeastOnce) =>
        Publish(topic, Encoding.UTF8.GetBytes(payload), retain, qos);

    public Task<MqttClientPublishResult> Publish(string topic, byte[] payload, bool retain = false,
        MqttQualityOfServiceLevel qos = MqttQualityOfServiceLevel.AtLeastOnce) =>
        Client.PublishAsync(new MqttApplicationMessageBuilder()
            .WithTopic(topic)
            .WithPayload(payload)
            .WithRetainFlag(retain)
            .WithQualityOfServiceLevel(qos)
            .Build());

    /// <summary>Publishes readings on this terminal's count topic; fails unless the broker took them.</summary>
    public async Task Count(string json)
    {
        var result = await Publish(CountTopic, json);
        if (!result.IsSuccess)
        {
            throw new InvalidOperationException($"publishing {json} answered {result.ReasonCode} {result.ReasonString}");
        }
    }

    /// <summary>Publishes this terminal's retained status; fails unless the broker took it.</summary>
    public async Task Status(string json)
    {
        var result = await Publish(StatusTopic, json, retain: true);
        if (!result.IsSuccess)
        {
            throw new InvalidOperationException($"publishing status {json} answered {result.ReasonCode} {result.ReasonString}");
        }
    }

    /// <summary>The next message received on <paramref name="topic"/>; messages on other topics are skipped.</summary>
    public async Task<Received> Next(string topic)
    {
        using var timeout = new CancellationTokenSource(Eventually.Deadline);
        try
        {
            while (true)
            {
                var message = await _received.Reader.ReadAsync(timeout.Token);
                if (message.Topic == topic)
                {
                    return message;
                }
            }
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"{Client.Options?.ClientId} received nothing on {topic} within {Eventually.Deadline.TotalSeconds} s");
        }
    }

    /// <summary>The next message received, on whatever topic.</summary>
    public async Task<Received> NextAny()
    {
        using var timeout = new CancellationTokenSource(Eventually.Deadline);
        try
        {
            return await _received.Reader.ReadAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"{Client.Options?.ClientId} received nothing within {Eventually.Deadline.TotalSeconds} s");
        }
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await Leave();
        }
        catch (Exception e) when (e is MqttCommunicationException or OperationCanceledException or ObjectDisposedException)
        {
        }
        finally
        {
            Client.Dispose();
        }
    }
}
