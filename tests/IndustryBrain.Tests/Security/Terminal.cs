using System.Text;
using System.Threading.Channels;
using MQTTnet;
using MQTTnet.Formatter;
using MQTTnet.Protocol;

namespace IndustryBrain.Tests.Security;

/// <summary>A real MQTT 5 client, as a terminal (or an intruder) uses the brain's broker.</summary>
public sealed class Terminal : IAsyncDisposable
{
    private readonly Channel<(string Topic, string Payload)> _received = Channel.CreateUnbounded<(string, string)>();
    private readonly TaskCompletionSource<MqttClientDisconnectedEventArgs> _dropped = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private Terminal(IMqttClient client, MqttClientConnectResult result)
    {
        Client = client;
        Result = result;
        client.ApplicationMessageReceivedAsync += e =>
        {
            _received.Writer.TryWrite((e.ApplicationMessage.Topic, Encoding.UTF8.GetString(e.ApplicationMessage.Payload)));
            return Task.CompletedTask;
        };
        client.DisconnectedAsync += e =>
        {
            _dropped.TrySetResult(e);
            return Task.CompletedTask;
        };
    }

    public IMqttClient Client { get; }

    public MqttClientConnectResult Result { get; }

    public bool Connected => Result.ResultCode == MqttClientConnectResultCode.Success && Client.IsConnected;

    /// <summary>Completes when the broker closes the connection.</summary>
    public Task<MqttClientDisconnectedEventArgs> Dropped => _dropped.Task;

    public static async Task<Terminal> Connect(int port, string? username, string? password, string? clientId = null)
    {
        var client = new MqttClientFactory().CreateMqttClient();
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

        try
        {
            return new Terminal(client, await client.ConnectAsync(options.Build()));
        }
        catch
        {
            client.Dispose();
            throw;
        }
    }

    public async Task<MqttClientPublishResult> Publish(string topic, string payload, bool retain = false) =>
        await Client.PublishAsync(new MqttApplicationMessageBuilder()
            .WithTopic(topic)
            .WithPayload(payload)
            .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce)
            .WithRetainFlag(retain)
            .Build());

    public async Task<MqttClientSubscribeResultCode> Subscribe(string filter)
    {
        var result = await Client.SubscribeAsync(new MqttClientSubscribeOptionsBuilder()
            .WithTopicFilter(filter, MqttQualityOfServiceLevel.AtLeastOnce)
            .Build());
        return result.Items.Single().ResultCode;
    }

    /// <summary>The next message received on a topic (others are skipped); fails after 30 s.</summary>
    public async Task<string> Next(string topic)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (true)
        {
            var (received, payload) = await _received.Reader.ReadAsync(timeout.Token);
            if (received == topic)
            {
                return payload;
            }
        }
    }

    /// <summary>The payload of the next message received, on whatever topic; fails after 30 s.</summary>
    public async Task<string> NextAny()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        return (await _received.Reader.ReadAsync(timeout.Token)).Payload;
    }

    public async ValueTask DisposeAsync()
    {
        if (Client.IsConnected)
        {
            try
            {
                await Client.DisconnectAsync();
            }
            catch (Exception e) when (e is MQTTnet.Exceptions.MqttCommunicationException or OperationCanceledException)
            {
            }
        }

        Client.Dispose();
    }
}
