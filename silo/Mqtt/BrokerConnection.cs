using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json;
using IndustryBrain.Silo.Cluster;
using IndustryBrain.Silo.Epoch;
using IndustryBrain.Silo.Ingest;
using Microsoft.Extensions.Options;
using MQTTnet;
using MQTTnet.Formatter;
using MQTTnet.Protocol;

namespace IndustryBrain.Silo.Mqtt;

/// <summary>
/// The silo as an MQTT 5 client of an external broker (Mosquitto, EMQX). It takes its share of the
/// terminals' messages through the contract's shared subscriptions and hands each to
/// <see cref="IngestPipeline.Accept"/>; it publishes rejections and the brain state. Its session outlives
/// a short disconnect (clean start off, a stable client id, a session expiry), so the broker queues its
/// share meanwhile; it reconnects by itself with back-off. Its Last Will is <c>{"online":false}</c>.
/// When the broker lost its session, or reports dropped messages, a new epoch lets terminals heal.
/// </summary>
public sealed class BrokerConnection(
    IOptions<MqttOptions> options,
    IngestPipeline ingest,
    BrainEpoch epoch,
    ClusterIdentity identity,
    RejectSink rejects,
    IServiceProvider services,
    TimeProvider time,
    ILogger<BrokerConnection> logger) : BackgroundService, IBrainPublisher, ITerminalSessions
{
    private readonly IMqttClient _client = new MqttClientFactory().CreateMqttClient();
    private readonly BrokerDrops _drops = new();
    private TaskCompletionSource _disconnected = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private volatile bool _live;
    private volatile bool _stopping;
    private long _connections;
    private string? _epochWhenLost;
    private DateTimeOffset? _lostAt;
    private DateTimeOffset? _dropsAnsweredAt;

    public bool IsLive => _live && _client.IsConnected;

    public string ClientId => ClientIdOf(options.Value, identity.SiloName);

    /// <summary>Times this silo connected to the broker since it started.</summary>
    public long Connections => Interlocked.Read(ref _connections);

    /// <summary>When the connection was lost, while it is down.</summary>
    public DateTimeOffset? DownSince => _live ? null : _lostAt;

    /// <summary>Messages the broker reported dropped since this silo connected.</summary>
    public long DropsSeen => _drops.Seen;

    public static string ClientIdOf(MqttOptions mqtt, string siloName) =>
        string.IsNullOrWhiteSpace(mqtt.ClientId) ? "industry-brain-" + siloName : mqtt.ClientId;

    public override Task StartAsync(CancellationToken cancellationToken)
    {
        _client.ApplicationMessageReceivedAsync += OnMessage;
        _client.DisconnectedAsync += OnDisconnected;
        epoch.Renewed += PublishEpoch;
        rejects.Answer += PublishReject;
        return base.StartAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var mqtt = options.Value;
        var drops = string.IsNullOrEmpty(mqtt.DropsTopic) ? Task.CompletedTask : Task.Run(() => WatchDrops(stoppingToken), CancellationToken.None);
        var delay = TimeSpan.FromMilliseconds(100);
        while (!stoppingToken.IsCancellationRequested)
        {
            _disconnected = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            try
            {
                await Connect(stoppingToken);
                delay = TimeSpan.FromMilliseconds(100);
            }
            catch (Exception e) when (!stoppingToken.IsCancellationRequested)
            {
                _live = false;
                _lostAt ??= time.GetUtcNow();
                logger.LogWarning("Broker {Broker} not reachable ({Error}); retrying in {Delay} ms", mqtt.Broker, e.Message, (int)delay.TotalMilliseconds);
                await Delay(delay, stoppingToken);
                delay = TimeSpan.FromMilliseconds(Math.Min(delay.TotalMilliseconds * 2, mqtt.MaxReconnectDelayMs) * (0.8 + (Random.Shared.NextDouble() * 0.4)));
                continue;
            }
            catch (OperationCanceledException)
            {
                break;
            }

            await _disconnected.Task.WaitAsync(stoppingToken).ContinueWith(_ => { }, TaskScheduler.Default);
        }

        await drops;
    }

    private async Task Connect(CancellationToken cancellationToken)
    {
        var mqtt = options.Value;
        var (host, port) = mqtt.BrokerEndpoint();
        var builder = new MqttClientOptionsBuilder()
            .WithEndPoint(new DnsEndPointOrAddress(host, port).EndPoint)
            .WithProtocolVersion(MqttProtocolVersion.V500)
            .WithClientId(ClientId)
            .WithCleanStart(false)
            .WithSessionExpiryInterval((uint)mqtt.SessionExpirySeconds)
            .WithReceiveMaximum((ushort)Math.Clamp(mqtt.ReceiveMaximum, 1, 65535))
            .WithKeepAlivePeriod(TimeSpan.FromSeconds(mqtt.KeepAliveSeconds))
            .WithTimeout(TimeSpan.FromSeconds(10))
            .WithWillTopic(Topics.BrainState)
            .WithWillPayload(BrainEpoch.OfflinePayload)
            .WithWillQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce)
            .WithWillRetain(true);
        if (!string.IsNullOrEmpty(mqtt.Username))
        {
            builder.WithCredentials(mqtt.Username, mqtt.Password);
        }

        var clientOptions = builder.Build();
        if (clientOptions.ChannelOptions is MqttClientTcpOptions tcp)
        {
            tcp.BufferSize = mqtt.SocketBufferBytes;
            tcp.NoDelay = true;
        }

        var result = await _client.ConnectAsync(clientOptions, cancellationToken);
        if (result.ResultCode != MqttClientConnectResultCode.Success)
        {
            throw new InvalidOperationException($"the broker refused the connection: {result.ResultCode} {result.ReasonString}");
        }

        var subscribe = new MqttClientSubscribeOptionsBuilder()
            .WithTopicFilter(f => f.WithTopic(Topics.SharedCount).WithAtLeastOnceQoS())
            .WithTopicFilter(f => f.WithTopic(Topics.SharedStatus).WithAtLeastOnceQoS())
            .WithTopicFilter(f => f.WithTopic(Topics.BrainState).WithAtLeastOnceQoS().WithNoLocal(true));
        if (!string.IsNullOrEmpty(mqtt.DropsTopic))
        {
            subscribe.WithTopicFilter(f => f.WithTopic(mqtt.DropsTopic).WithAtMostOnceQoS());
        }

        await _client.SubscribeAsync(subscribe.Build(), cancellationToken);
        var first = Interlocked.Increment(ref _connections) == 1;
        var gapBegan = _epochWhenLost ?? epoch.Epoch;
        _live = true;
        _lostAt = null;
        _epochWhenLost = null;
        logger.LogInformation("Connected to broker {Broker} as {ClientId} (session {Session})", mqtt.Broker, ClientId,
            result.IsSessionPresent ? "resumed" : "new");

        // Subscribed again: whatever terminals published while this silo was not subscribed may be gone, even
        // when the broker says the session is present (SubscriptionGap says why). One epoch per gap heals it.
        if (SubscriptionGap.RenewalFor(first, otherSilosActive: first && !IsLastSilo(), gapBegan) is { } gap
            && await epoch.Renew(first ? "the brain came online" : "a gap in this silo's broker subscription", once: gap,
                cause: first ? "brain-online" : "broker-gap"))
        {
            return; // published by the renewal
        }

        await Publish(Topics.BrainState, BrainEpoch.Online(await epoch.Refresh()), retain: true, cancellationToken);
    }

    private Task OnDisconnected(MqttClientDisconnectedEventArgs e)
    {
        if (_live)
        {
            _lostAt = time.GetUtcNow();
            _epochWhenLost = epoch.Epoch;
            if (!_stopping)
            {
                logger.LogWarning(e.Exception, "Lost the broker connection ({Reason}); reconnecting", e.Reason);
            }
        }

        _live = false;
        _disconnected.TrySetResult();
        return Task.CompletedTask;
    }

    private Task OnMessage(MqttApplicationMessageReceivedEventArgs e)
    {
        var message = e.ApplicationMessage;
        var topic = message.Topic;
        if (topic.StartsWith("ib/", StringComparison.Ordinal) && topic != Topics.BrainState)
        {
            var accepted = ingest.Accept(topic, message.Payload);
            return accepted.IsCompletedSuccessfully ? Task.CompletedTask : accepted.AsTask();
        }

        if (topic == Topics.BrainState)
        {
            OnBrainState(message.Payload);
        }
        else if (topic == options.Value.DropsTopic)
        {
            OnDropsReport(message.Payload, message.Retain);
        }

        return Task.CompletedTask;
    }

    private void OnBrainState(ReadOnlySequence<byte> payload)
    {
        try
        {
            using var document = JsonDocument.Parse(payload.ToArray());
            var root = document.RootElement;
            if (root.TryGetProperty("epoch", out var seen) && seen.GetString() is { } other)
            {
                epoch.Adopt(other);
            }
            else if (root.TryGetProperty("online", out var online) && online.ValueKind == JsonValueKind.False && IsLive && !_stopping)
            {
                // Another silo's Last Will, or its last words: the brain is still up here.
                _ = Task.Run(async () => await Publish(Topics.BrainState, BrainEpoch.Online(await epoch.Refresh()), retain: true))
                    .ContinueWith(t => logger.LogDebug(t.Exception, "brain state not republished"), TaskContinuationOptions.OnlyOnFaulted);
            }
        }
        catch (JsonException)
        {
            logger.LogWarning("{Topic} holds a message that is not JSON", Topics.BrainState);
        }
    }

    private void OnDropsReport(ReadOnlySequence<byte> payload, bool retained)
    {
        if (long.TryParse(Encoding.ASCII.GetString(payload.ToArray()), NumberStyles.None, CultureInfo.InvariantCulture, out var count)
            && _drops.Observe(count, retained, time.GetUtcNow()) is { } dropped)
        {
            AnswerDrops(dropped);
        }
    }

    private async Task WatchDrops(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1), time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                if (_drops.Due(time.GetUtcNow()) is { } dropped)
                {
                    AnswerDrops(dropped);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    private void AnswerDrops(long dropped)
    {
        var now = time.GetUtcNow();
        if (_dropsAnsweredAt is { } last && now - last < TimeSpan.FromSeconds(options.Value.DropsEpochIntervalSeconds))
        {
            logger.LogWarning("The broker reports {Count} messages dropped in all; an epoch for drops was begun at {Last}, not again yet", dropped, last);
            return;
        }

        _dropsAnsweredAt = now;
        logger.LogWarning("The broker reports {Count} messages dropped in all; a new epoch lets terminals resend", dropped);
        _ = epoch.Renew("messages dropped by the broker", once: "drops:" + dropped.ToString(CultureInfo.InvariantCulture), cause: "broker-drops")
            .ContinueWith(t => logger.LogWarning(t.Exception, "no new epoch after the broker's drops"), TaskContinuationOptions.OnlyOnFaulted);
    }

    /// <summary>The external broker holds the terminals' connections and checks them against its own password file.</summary>
    public Task Disconnect(IReadOnlySet<string> usernames) => Task.CompletedTask;

    private Task PublishReject(string topic, byte[] reply) => IsLive ? Publish(topic, reply, retain: false) : Task.CompletedTask;

    private Task PublishEpoch(string renewed) => Publish(Topics.BrainState, BrainEpoch.Online(renewed), retain: true);

    public async Task Publish(string topic, byte[] payload, bool retain, CancellationToken cancellationToken = default)
    {
        if (!_client.IsConnected)
        {
            return; // the brain state is published again on connect; rejections are counted and logged anyway
        }

        var message = new MqttApplicationMessageBuilder()
            .WithTopic(topic)
            .WithPayload(payload)
            .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce)
            .WithRetainFlag(retain)
            .Build();
        try
        {
            await _client.PublishAsync(message, cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException && !_client.IsConnected)
        {
            logger.LogDebug(e, "{Topic} not published: the broker connection is down", topic);
        }
    }

    /// <summary>
    /// Ends the broker session of a silo that is gone for good, so the broker stops queueing that silo's
    /// share of the shared subscriptions (Mosquitto keeps choosing a disconnected member whose session
    /// has not expired). Connects under its client id with a clean start and no session expiry, then leaves.
    /// </summary>
    public async Task EndSessionOf(string clientId, CancellationToken cancellationToken)
    {
        var mqtt = options.Value;
        var (host, port) = mqtt.BrokerEndpoint();
        using var reaper = new MqttClientFactory().CreateMqttClient();
        var builder = new MqttClientOptionsBuilder()
            .WithEndPoint(new DnsEndPointOrAddress(host, port).EndPoint)
            .WithProtocolVersion(MqttProtocolVersion.V500)
            .WithClientId(clientId)
            .WithCleanStart(true)
            .WithSessionExpiryInterval(0)
            .WithTimeout(TimeSpan.FromSeconds(10));
        if (!string.IsNullOrEmpty(mqtt.Username))
        {
            builder.WithCredentials(mqtt.Username, mqtt.Password);
        }

        await reaper.ConnectAsync(builder.Build(), cancellationToken);
        await reaper.DisconnectAsync(new MqttClientDisconnectOptionsBuilder().WithReason(MqttClientDisconnectOptionsReason.NormalDisconnection).Build(), cancellationToken);
        logger.LogInformation("Ended the broker session {ClientId} of a silo declared dead", clientId);
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        _stopping = true;
        epoch.Renewed -= PublishEpoch;
        rejects.Answer -= PublishReject;
        if (_client.IsConnected)
        {
            try
            {
                var disconnect = new MqttClientDisconnectOptions { Reason = MqttClientDisconnectOptionsReason.NormalDisconnection };
                if (IsLastSilo())
                {
                    // The brain goes offline with its last silo, whose session stays to queue what terminals
                    // publish until the brain is back.
                    await Publish(Topics.BrainState, BrainEpoch.OfflinePayload, retain: true, cancellationToken);
                    disconnect.SessionExpiryInterval = (uint)Math.Max(options.Value.SessionExpirySeconds, options.Value.LastSiloSessionExpirySeconds);
                }
                else
                {
                    // The others keep the brain online: stop taking a share, let what is on its way arrive,
                    // and end the session, so the broker deals everything to the silos that remain.
                    await _client.UnsubscribeAsync(new MqttClientUnsubscribeOptionsBuilder()
                        .WithTopicFilter(Topics.SharedCount).WithTopicFilter(Topics.SharedStatus).Build(), cancellationToken);
                    await Task.Delay(250, cancellationToken);
                    disconnect.SessionExpiryInterval = 0;
                }

                await _client.DisconnectAsync(disconnect, cancellationToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                logger.LogDebug(e, "clean disconnect from the broker failed");
            }
        }

        await base.StopAsync(cancellationToken);
    }

    private bool IsLastSilo()
    {
        if (services.GetService<IClusterMembershipService>() is not { } membership)
        {
            return true;
        }

        var self = services.GetService<ILocalSiloDetails>()?.SiloAddress;
        return !membership.CurrentSnapshot.Members.Values.Any(m => m.Status == SiloStatus.Active && !m.SiloAddress.Equals(self));
    }

    private static async Task Delay(TimeSpan delay, CancellationToken cancellationToken)
    {
        try
        {
            await Task.Delay(delay, cancellationToken);
        }
        catch (OperationCanceledException)
        {
        }
    }

    public override void Dispose()
    {
        _client.Dispose();
        base.Dispose();
    }

    /// <summary>An IP address as is, a host name for DNS.</summary>
    private readonly record struct DnsEndPointOrAddress(string Host, int Port)
    {
        public System.Net.EndPoint EndPoint => System.Net.IPAddress.TryParse(Host, out var address)
            ? new System.Net.IPEndPoint(address, Port)
            : new System.Net.DnsEndPoint(Host, Port);
    }
}
