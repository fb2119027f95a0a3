using System.Text;
using System.Threading.Channels;
using MQTTnet;
using MQTTnet.Exceptions;
using MQTTnet.Formatter;
using MQTTnet.Protocol;

namespace IndustryBrain.Tests.Infrastructure;

/// <summary>A message a terminal received.</summary>
public sealed record Received(string Topic, string Payload, bool Retain);

/// <summary>
/// A factory terminal: a real MQTTnet client over TCP to the brain's broker, publishing on its own
/// <c>ib/{enterprise}/{terminal}/</c> topics and keeping what it receives for the test to read.
/// </summary>
public sealed class MqttTerminal : IAsyncDisposable
{
    private readonly IMqttClient _client;
    private readonly Channel<Received> _received = Channel.CreateUnbounded<Received>();

    private MqttTerminal(IMqttClient client, string enterprise, string terminal)
    {
        _client = client;
        Enterprise = enterprise;
        Terminal = terminal;
        _client.ApplicationMessageReceivedAsync += e =>
        {
            var message = e.ApplicationMessage;
            _received.Writer.TryWrite(new Received(message.Topic, message.ConvertPayloadToString() ?? "", message.Retain));
            return Task.CompletedTask;
        };
    }

    public string Enterprise { get; }

    public string Terminal { get; }

    public string CountTopic => $"ib/{Enterprise}/{Terminal}/count";

    public string StatusTopic => $"ib/{Enterprise}/{Terminal}/status";

    public string RejectTopic => $"ib/{Enterprise}/{Terminal}/reject";

    public bool IsConnected => _client.IsConnected;

    /// <summary>Connects as the contract asks a terminal to: MQTT 5 by default, with a retained Last Will of offline.</summary>
    public static async Task<MqttTerminal> Connect(int port, string enterprise, string terminal,
        MqttProtocolVersion version = MqttProtocolVersion.V500, bool lastWill = true)
    {
        var client = new MqttClientFactory().CreateMqttClient();
        var terminalClient = new MqttTerminal(client, enterprise, terminal);
        var options = new MqttClientOptionsBuilder()
            .WithTcpServer("127.0.0.1", port)
            .WithProtocolVersion(version)
            .WithClientId($"{enterprise}.{terminal}.{Guid.NewGuid():N}")
            .WithCleanStart(true)
            .WithTimeout(TimeSpan.FromSeconds(30));
        if (lastWill)
        {
            options = options
                .WithWillTopic(terminalClient.StatusTopic)
                .WithWillPayload("""{"state":"offline"}""")
                .WithWillRetain(true)
                .WithWillQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce);
        }

        await client.ConnectAsync(options.Build());
        return terminalClient;
    }

    public async Task Subscribe(string topicFilter)
    {
        var result = await _client.SubscribeAsync(new MqttClientSubscribeOptionsBuilder()
            .WithTopicFilter(topicFilter, MqttQualityOfServiceLevel.AtLeastOnce)
            .Build());
        var item = Assert.Single(result.Items);
        Assert.True((int)item.ResultCode <= 2, $"subscribing to {topicFilter} answered {item.ResultCode}");
    }

    public Task<MqttClientPublishResult> Publish(string topic, string payload, bool retain = false,
        MqttQualityOfServiceLevel qos = MqttQualityOfServiceLevel.AtLeastOnce) =>
        Publish(topic, Encoding.UTF8.GetBytes(payload), retain, qos);

    public Task<MqttClientPublishResult> Publish(string topic, byte[] payload, bool retain = false,
        MqttQualityOfServiceLevel qos = MqttQualityOfServiceLevel.AtLeastOnce) =>
        _client.PublishAsync(new MqttApplicationMessageBuilder()
            .WithTopic(topic)
            .WithPayload(payload)
            .WithRetainFlag(retain)
            .WithQualityOfServiceLevel(qos)
            .Build());

    /// <summary>Publishes readings on this terminal's count topic and asserts the broker took them.</summary>
    public async Task Count(string json)
    {
        var result = await Publish(CountTopic, json);
        Assert.True(result.IsSuccess, $"publishing {json} answered {result.ReasonCode} {result.ReasonString}");
    }

    public async Task Status(string json)
    {
        var result = await Publish(StatusTopic, json, retain: true);
        Assert.True(result.IsSuccess, $"publishing status {json} answered {result.ReasonCode} {result.ReasonString}");
    }

    /// <summary>The next message received on <paramref name="topic"/>; messages on other topics are skipped.</summary>
    public async Task<Received> Next(string topic)
    {
        using var timeout = new CancellationTokenSource(BrainProcess.Deadline);
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
            throw new TimeoutException($"{Terminal} received nothing on {topic} within {BrainProcess.Deadline}");
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_client.IsConnected)
        {
            try
            {
                await _client.DisconnectAsync();
            }
            catch (Exception e) when (e is MqttCommunicationException or OperationCanceledException or ObjectDisposedException)
            {
            }
        }

        _client.Dispose();
    }
}
