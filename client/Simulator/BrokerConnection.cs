using System.Buffers;
using System.Net;
using System.Text;
using MQTTnet;
using MQTTnet.Formatter;
using MQTTnet.Protocol;

namespace IndustryBrain.Client.Simulator;

/// <summary>A count message on its way to the broker.</summary>
internal readonly record struct Outgoing(string Topic, byte[] Payload);

/// <summary>
/// One MQTT 5 connection of the simulator, carrying one terminal or several (each on its own topics).
/// Publishes are QoS 1 with a bounded number awaiting PUBACK; a publish that fails waits for the
/// connection to come back and is sent again, so nothing counted is ever given up while the simulation lives.
/// </summary>
internal sealed class BrokerConnection : IDisposable
{
    public const string BrainStateTopic = "ib/brain/state";
    private static readonly byte[] Offline = """{"state":"offline"}"""u8.ToArray();

    private readonly IMqttClient _client;
    private readonly MqttClientOptions _options;
    private readonly SemaphoreSlim _inFlight;
    private readonly int _inFlightLimit;
    private readonly SemaphoreSlim _connecting = new(1, 1);
    private readonly bool _watchesBrain;
    private readonly SimulationCounters _counters;
    private readonly Action<ReadOnlySequence<byte>> _onBrainState;
    private readonly TextWriter? _log;
    private readonly List<Outgoing> _window = [];
    private readonly CancellationToken _life;
    private volatile bool _closing;

    public BrokerConnection(int index, SimulatedTerminal[] terminals, bool watchesBrain, SimulationOptions options, TerminalCredential? credential,
        SimulationCounters counters, Action<ReadOnlySequence<byte>> onBrainState, CancellationToken life)
    {
        _life = life;
        Terminals = terminals;
        _watchesBrain = watchesBrain;
        _counters = counters;
        _onBrainState = onBrainState;
        _log = options.Log;
        _inFlightLimit = options.InFlight;
        _inFlight = new SemaphoreSlim(options.InFlight, options.InFlight);

        var endpoint = new DnsEndPoint(options.Mqtt.Host, options.Mqtt.Port > 0 ? options.Mqtt.Port : 1883);
        var builder = new MqttClientOptionsBuilder()
            .WithTcpServer(tcp =>
            {
                tcp.BufferSize = options.SocketBuffer;
                tcp.NoDelay = true;
            })
            .WithEndPoint(endpoint)
            .WithProtocolVersion(MqttProtocolVersion.V500)
            .WithClientId($"{options.Prefix}-c{index}")
            .WithCleanStart(true)
            .WithKeepAlivePeriod(TimeSpan.FromSeconds(30))
            .WithTimeout(TimeSpan.FromSeconds(15))
            // One Last Will per connection: the first terminal's. A real terminal has its own connection.
            .WithWillTopic(terminals[0].StatusTopic)
            .WithWillPayload(Offline)
            .WithWillRetain(true)
            .WithWillQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce);
        if (credential is not null)
        {
            builder.WithCredentials(credential.Username, credential.Password);
        }

        _options = builder.Build();
        _client = new MqttClientFactory().CreateMqttClient();
        _client.ApplicationMessageReceivedAsync += OnMessage;
        _client.DisconnectedAsync += OnDisconnected;
    }

    public SimulatedTerminal[] Terminals { get; }

    /// <summary>Connects once (failing loudly if the broker is not there), subscribes, and says every terminal is running.</summary>
    public async Task Open(CancellationToken cancellationToken)
    {
        await _connecting.WaitAsync(cancellationToken);
        try
        {
            await Establish(cancellationToken);
        }
        finally
        {
            _connecting.Release();
        }
    }

    private async Task Establish(CancellationToken cancellationToken)
    {
        var result = await _client.ConnectAsync(_options, cancellationToken);
        if (result.ResultCode != MqttClientConnectResultCode.Success)
        {
            throw new BrokerRefusal(result.ResultCode is MqttClientConnectResultCode.BadUserNameOrPassword or MqttClientConnectResultCode.NotAuthorized
                ? $"the broker refused the connection ({result.ResultCode}): the brain requires terminal credentials; add --terminal-credentials (with an administrator's --key)"
                : $"the broker refused the connection: {result.ResultCode} {result.ReasonString}");
        }

        var subscribe = new MqttClientSubscribeOptionsBuilder();
        foreach (var terminal in Terminals)
        {
            subscribe.WithTopicFilter(terminal.RejectTopic, MqttQualityOfServiceLevel.AtLeastOnce);
        }

        if (_watchesBrain)
        {
            subscribe.WithTopicFilter(BrainStateTopic, MqttQualityOfServiceLevel.AtLeastOnce);
        }

        await _client.SubscribeAsync(subscribe.Build(), cancellationToken);
        foreach (var terminal in Terminals)
        {
            await _client.PublishAsync(Message(terminal.StatusTopic, terminal.StatusPayload("running"), retain: true), cancellationToken);
        }
    }

    /// <summary>Waits until the connection is up, trying again with a growing pause while it is not.</summary>
    private async Task EnsureConnected(CancellationToken cancellationToken)
    {
        if (_client.IsConnected)
        {
            return;
        }

        await _connecting.WaitAsync(cancellationToken);
        try
        {
            var pause = TimeSpan.FromMilliseconds(100);
            while (!_client.IsConnected)
            {
                try
                {
                    await Establish(cancellationToken);
                }
                catch (Exception) when (!cancellationToken.IsCancellationRequested)
                {
                    await Task.Delay(pause, cancellationToken);
                    pause = TimeSpan.FromTicks(Math.Min(pause.Ticks * 2, TimeSpan.FromSeconds(2).Ticks));
                }
            }
        }
        finally
        {
            _connecting.Release();
        }
    }

    /// <summary>
    /// Sends a message, or with reordering holds it in a window and sends a random one of the window
    /// once it is full. Returns when the message is handed to a publish slot, not when it is acknowledged.
    /// </summary>
    public Task Enqueue(Outgoing message, Random random, int reorderWindow, CancellationToken cancellationToken)
    {
        if (reorderWindow <= 1)
        {
            return Send(message, cancellationToken);
        }

        _window.Add(message);
        if (_window.Count < reorderWindow)
        {
            return Task.CompletedTask;
        }

        return Send(TakeRandom(random), cancellationToken);
    }

    /// <summary>Sends what the reorder window holds, in random order, and waits until every publish is acknowledged.</summary>
    public async Task Drain(Random random, CancellationToken cancellationToken)
    {
        while (_window.Count > 0)
        {
            await Send(TakeRandom(random), cancellationToken);
        }

        for (var i = 0; i < _inFlightLimit; i++)
        {
            await _inFlight.WaitAsync(cancellationToken);
        }

        _inFlight.Release(_inFlightLimit);
    }

    private Outgoing TakeRandom(Random random)
    {
        var index = random.Next(_window.Count);
        var message = _window[index];
        _window[index] = _window[^1];
        _window.RemoveAt(_window.Count - 1);
        return message;
    }

    /// <summary>Re-sends the latest reading of every (order, step, run) of this connection's terminals.</summary>
    public async Task Resync(CancellationToken cancellationToken)
    {
        var now = DateTimeOffset.UtcNow;
        foreach (var terminal in Terminals)
        {
            foreach (var (payload, readings) in terminal.Resync(now))
            {
                _counters.Resent(readings);
                await Send(new Outgoing(terminal.CountTopic, payload), cancellationToken);
            }
        }
    }

    private async Task Send(Outgoing message, CancellationToken cancellationToken)
    {
        await _inFlight.WaitAsync(cancellationToken);
        _ = PublishUntilAcknowledged(Message(message.Topic, message.Payload, retain: false), cancellationToken);
    }

    private async Task PublishUntilAcknowledged(MqttApplicationMessage message, CancellationToken cancellationToken)
    {
        try
        {
            while (true)
            {
                try
                {
                    await EnsureConnected(cancellationToken);
                    var result = await _client.PublishAsync(message, cancellationToken);
                    if (result.ReasonCode is not (MqttClientPublishReasonCode.Success or MqttClientPublishReasonCode.NoMatchingSubscribers)
                        && _counters.RefusedOne() <= 5)
                    {
                        _log?.WriteLine($"refused by the broker: {message.Topic} {result.ReasonCode} {result.ReasonString}");
                    }

                    return;
                }
                catch (Exception) when (!cancellationToken.IsCancellationRequested)
                {
                    _counters.Retried();
                    await Task.Delay(200, cancellationToken);
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The simulation is over; what was not acknowledged is given up.
        }
        finally
        {
            _inFlight.Release();
        }
    }

    /// <summary>A terminal whose connection drops connects again at once, as real ones do, and so hears a new brain epoch.</summary>
    private Task OnDisconnected(MqttClientDisconnectedEventArgs e)
    {
        if (!_closing && e.ClientWasConnected)
        {
            _ = Task.Run(async () =>
            {
                try
                {
                    await EnsureConnected(_life);
                }
                catch (OperationCanceledException)
                {
                }
            });
        }

        return Task.CompletedTask;
    }

    private Task OnMessage(MqttApplicationMessageReceivedEventArgs e)
    {
        var topic = e.ApplicationMessage.Topic;
        if (topic == BrainStateTopic)
        {
            _onBrainState(e.ApplicationMessage.Payload);
        }
        else if (topic.EndsWith("/reject", StringComparison.Ordinal) && _counters.Rejected() <= 10)
        {
            _log?.WriteLine($"rejected on {topic}: {Encoding.UTF8.GetString(e.ApplicationMessage.Payload)}");
        }

        return Task.CompletedTask;
    }

    /// <summary>Says every terminal is offline (retained) and disconnects cleanly; best effort.</summary>
    public async Task Close(CancellationToken cancellationToken)
    {
        _closing = true;
        if (!_client.IsConnected)
        {
            return;
        }

        try
        {
            foreach (var terminal in Terminals)
            {
                await _client.PublishAsync(Message(terminal.StatusTopic, Offline, retain: true), cancellationToken);
            }

            await _client.DisconnectAsync(new MqttClientDisconnectOptionsBuilder().Build(), cancellationToken);
        }
        catch (Exception e) when (e is MQTTnet.Exceptions.MqttCommunicationException or OperationCanceledException or InvalidOperationException)
        {
        }
    }

    private static MqttApplicationMessage Message(string topic, byte[] payload, bool retain) => new MqttApplicationMessageBuilder()
        .WithTopic(topic)
        .WithPayload(payload)
        .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce)
        .WithRetainFlag(retain)
        .Build();

    public void Dispose()
    {
        _client.Dispose();
        _inFlight.Dispose();
        _connecting.Dispose();
    }
}

/// <summary>The broker refused a simulated terminal's connection; told to the user in one sentence.</summary>
public sealed class BrokerRefusal(string message) : InvalidOperationException(message);
