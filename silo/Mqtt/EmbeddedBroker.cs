using System.Net;
using IndustryBrain.Contracts;
using IndustryBrain.Silo.Ingest;
using Microsoft.Extensions.Options;
using MQTTnet;
using MQTTnet.Protocol;
using MQTTnet.Server;

namespace IndustryBrain.Silo.Mqtt;

/// <summary>
/// The embedded default's broker: MQTTnet.Server in the silo's process. Every publish passes through
/// the ingest's <see cref="IngestPipeline.Accept"/> inline, which never waits on a grain; a refused
/// message is not forwarded and its PUBACK (MQTT 5) carries the matching reason code.
/// </summary>
public sealed class EmbeddedBroker(
    IOptions<MqttOptions> options,
    IngestPipeline ingest,
    BrainEpoch epoch,
    ILogger<EmbeddedBroker> logger) : IHostedService, IBrainPublisher, IAsyncDisposable
{
    private MqttServer? _server;
    private volatile bool _stopping;

    public bool IsLive => _server?.IsStarted == true;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var mqtt = options.Value;
        var address = IPAddress.TryParse(mqtt.Host, out var parsed)
            ? parsed
            : (await Dns.GetHostAddressesAsync(mqtt.Host, cancellationToken))[0];
        var serverOptions = new MqttServerOptionsBuilder()
            .WithDefaultEndpoint()
            .WithDefaultEndpointBoundIPAddress(address)
            .WithDefaultEndpointBoundIPV6Address(IPAddress.None)
            .WithDefaultEndpointPort(mqtt.Port)
            .WithMaxPendingMessagesPerClient(mqtt.MaxPendingMessagesPerClient)
            .WithPersistentSessions()
            .Build();
        _server = new MqttServerFactory().CreateMqttServer(serverOptions);
        _server.ValidatingConnectionAsync += OnConnect;
        _server.InterceptingPublishAsync += OnPublish;
        await _server.StartAsync();
        await Publish(Topics.BrainState, epoch.OnlinePayload, retain: true, cancellationToken);
        epoch.Renewed += PublishEpoch;
        logger.LogInformation("Embedded MQTT broker listening on {Address}:{Port}", address, mqtt.Port);
    }

    private static Task OnConnect(ValidatingConnectionEventArgs e)
    {
        if (string.IsNullOrEmpty(e.ClientId))
        {
            // MQTT 5 lets a client leave its id to the broker. (MQTTnet refuses an empty id under
            // MQTT 3.1.1 before this point, which that version of the protocol allows.)
            e.AssignedClientIdentifier = "ib-" + Guid.NewGuid().ToString("N");
        }

        return Task.CompletedTask;
    }

    private async Task OnPublish(InterceptingPublishEventArgs e)
    {
        if (_stopping && e.ApplicationMessage.Topic.EndsWith("/status", StringComparison.Ordinal))
        {
            // Stopping the broker sends every connected terminal's Last Will; the terminals are not
            // offline, the brain is. Counts still flow until the broker is down.
            e.ProcessPublish = false;
            return;
        }

        var refusal = await ingest.Accept(e.ApplicationMessage.Topic, e.ApplicationMessage.Payload);
        if (refusal is not null)
        {
            e.ProcessPublish = false;
            e.Response.ReasonCode = ReasonCode(refusal.Reason);
            e.Response.ReasonString = refusal.Reason;
        }
    }

    private Task PublishEpoch(string renewed) => Publish(Topics.BrainState, BrainEpoch.Online(renewed), retain: true);

    public static MqttPubAckReasonCode ReasonCode(string reason) => reason switch
    {
        RejectReasons.MalformedJson => MqttPubAckReasonCode.PayloadFormatInvalid,
        RejectReasons.InvalidId => MqttPubAckReasonCode.TopicNameInvalid,
        RejectReasons.TooLarge => MqttPubAckReasonCode.QuotaExceeded,
        RejectReasons.NotAuthorized => MqttPubAckReasonCode.NotAuthorized,
        _ => MqttPubAckReasonCode.ImplementationSpecificError,
    };

    public Task Publish(string topic, byte[] payload, bool retain, CancellationToken cancellationToken = default)
    {
        if (_server is null)
        {
            return Task.CompletedTask;
        }

        var message = new MqttApplicationMessageBuilder()
            .WithTopic(topic)
            .WithPayload(payload)
            .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce)
            .WithRetainFlag(retain)
            .Build();
        return _server.InjectApplicationMessage(new InjectedMqttApplicationMessage(message) { SenderClientId = "industry-brain" }, cancellationToken);
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        epoch.Renewed -= PublishEpoch;
        _stopping = true;
        if (_server is { IsStarted: true })
        {
            await Publish(Topics.BrainState, BrainEpoch.OfflinePayload, retain: true, cancellationToken);
            await _server.StopAsync();
        }
    }

    public ValueTask DisposeAsync()
    {
        _server?.Dispose();
        return ValueTask.CompletedTask;
    }
}
