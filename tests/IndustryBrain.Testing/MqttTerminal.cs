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
/// <c>ib/{enterprise}/{terminal}/</c> topics and keeping what it receives for the test to read.
/// </summary>
public sealed class MqttTerminal : IAsyncDisposable
{
    private readonly Channel<Received> _received = Channel.CreateUnbounded<Received>();
    private readonly TaskCompletionSource<MqttClientDisconnectedEventArgs> _dropped = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private MqttTerminal(IMqttClient client, string enterprise, string terminal)
    {
        Client = client;
        Enterprise = enterprise;
        Terminal = terminal;
        client.ApplicationMessageReceivedAsync += e =>
        {
            var message = e.ApplicationMessage;
            _received.Writer.TryWrite(new Received(message.Topic, message.ConvertPayloadToString() ?? "", message.Retain));
            return Task.CompletedTask;
        };
        client.DisconnectedAsync += e =>
        {
            _dropped.TrySetResult(e);
            return Task.CompletedTask;
        };
    }

    public IMqttClient Client { get; }

    /// <summary>What the broker answered to CONNECT.</summary>
    public MqttClientConnectResult Result { get; private set; } = null!;

    public string Enterprise { get; }

    public string Terminal { get; }

    public string CountTopic => $"ib/{Enterprise}/{Terminal}/count";

    public string StatusTopic => $"ib/{Enterprise}/{Terminal}/status";

    public string RejectTopic => $"ib/{Enterprise}/{Terminal}/reject";

    public bool IsConnected => Client.IsConnected;

    /// <summary>Whether the broker accepted the connection and it is still open.</summary>
    public bool Connected => Result.ResultCode == MqttClientConnectResultCode.Success && Client.IsConnected;

    /// <summary>Completes when the broker closes the connection.</summary>
    public Task<MqttClientDisconnectedEventArgs> Dropped => _dropped.Task;

    /// <summary>Connects as the contract asks a terminal to: MQTT 5 by default, with a retained Last Will of offline.</summary>
    public static async Task<MqttTerminal> Connect(int port, string enterprise, string terminal,
        MqttProtocolVersion version = MqttProtocolVersion.V500, bool lastWill = true)
    {
        var client = new MqttClientFactory().CreateMqttClient();
        var connected = new MqttTerminal(client, enterprise, terminal);
        var options = new MqttClientOptionsBuilder()
            .WithTcpServer("127.0.0.1", port)
            .WithProtocolVersion(version)
            .WithClientId($"{enterprise}.{terminal}.{Guid.NewGuid():N}")
            .WithCleanStart(true)
            .WithTimeout(TimeSpan.FromSeconds(30));
        if (lastWill)
        {
            options = options
                .WithWillTopic(connected.StatusTopic)
                .WithWillPayload("""{"state":"offline"}""")
                .WithWillRetain(true)
                .WithWillQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce);
        }

        return await connected.Open(options);
    }

    /// <summary>Connects with a username and password (none when null), MQTT 5, no Last Will: the security tests' client.</summary>
    public static async Task<MqttTerminal> ConnectAs(int port, string? username, string? password, string? clientId = null)
    {
        var client = new MqttClientFactory().CreateMqttClient();
        var parts = username?.Split('/', 2);
        var connected = new MqttTerminal(client, parts?[0] ?? "", parts is { Length: 2 } ? parts[1] : "");
        var options = new MqttClientOptionsBuilder()
            .WithTcpServer("127.0.0.1", port)
            .WithProtocolVersion(MqttProtocolVersion.V500)
            .WithClientId(clientId ?? "t-" + Guid.NewGuid().ToString("N"))
            .WithCleanStart()
            .WithTimeout(TimeSpan.FromSeconds(30));
        if (username is not null)
        {
            options.WithCredentials(username, password);
        }

        return await connected.Open(options);
    }

    private async Task<MqttTerminal> Open(MqttClientOptionsBuilder options)
    {
        try
        {
            Result = await Client.ConnectAsync(options.Build());
            return this;
        }
        catch
        {
            Client.Dispose();
            throw;
        }
    }

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
        if (Client.IsConnected)
        {
            try
            {
                await Client.DisconnectAsync();
            }
            catch (Exception e) when (e is MqttCommunicationException or OperationCanceledException or ObjectDisposedException)
            {
            }
        }

        Client.Dispose();
    }
}
