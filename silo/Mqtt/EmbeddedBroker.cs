using System.Collections.Concurrent;
using System.Net;
using IndustryBrain.Contracts;
using IndustryBrain.Silo.Cluster;
using IndustryBrain.Silo.Epoch;
using IndustryBrain.Silo.Ingest;
using IndustryBrain.Silo.Security;
using Microsoft.Extensions.Options;
using MQTTnet;
using MQTTnet.Protocol;
using MQTTnet.Server;

namespace IndustryBrain.Silo.Mqtt;

/// <summary>
/// The embedded default's broker: MQTTnet.Server in the silo's process. A client connects with a terminal
/// credential from the registry (username {enterprise}/{terminal}) unless Mqtt:RequireCredentials is false,
/// and may publish and subscribe only as <see cref="TerminalRights"/> allows. Every publish passes through
/// the ingest's <see cref="IngestPipeline.Accept"/> inline, which never waits on a grain; a refused message
/// is not forwarded and its PUBACK (MQTT 5) carries the matching reason code.
/// <para>
/// What one client can make the broker hold is bounded: a terminal is one connection (a new connection with
/// its credential replaces the old one and its session), a session that went offline is dropped after
/// Mqtt:OfflineSessionExpirySeconds, a session queues at most Mqtt:MaxPendingMessagesPerClient messages, one
/// address holds at most Mqtt:MaxConnectionsPerAddress connections, a connection that sends no CONNECT is
/// closed after Mqtt:ConnectTimeoutSeconds, and client ids are at most Mqtt:MaxClientIdLength characters.
/// </para>
/// </summary>
public sealed class EmbeddedBroker(
    IOptions<MqttOptions> options,
    IngestPipeline ingest,
    BrainEpoch epoch,
    ClusterIdentity identity,
    TerminalVerifier terminals,
    RejectSink rejects,
    SecurityMetrics security,
    TimeProvider time,
    ILogger<EmbeddedBroker> logger) : IHostedService, IBrainPublisher, ITerminalSessions, IAsyncDisposable
{
    /// <summary>The sender of the brain's own messages: not a username any client can have (no slash).</summary>
    public const string BrainUser = "$brain";

    /// <summary>The per-connection buffer MQTT packets to a client are encoded into.</summary>
    public const int WriterBufferBytes = 256;
    private const string UserItem = "ib.user";

    private readonly bool _forwardTerminalMessages = options.Value.ForwardTerminalMessages;
    private readonly PublishThrottle _throttle = new(options.Value.PublishesPerSecond, options.Value.PublishBurst);

    /// <summary>Who owns each session (client id): a terminal may not take over another's session.</summary>
    private readonly ConcurrentDictionary<string, string> _owners = new(StringComparer.Ordinal);

    /// <summary>Each terminal's one session (client id), by username.</summary>
    private readonly Dictionary<string, string> _sessionOf = new(StringComparer.Ordinal);
    private readonly Lock _sessionsLock = new();
    private readonly CancellationTokenSource _stopped = new();

    private MqttServer? _server;
    private GuardedTcpServerAdapter? _listener;
    private volatile bool _stopping;

    public bool IsLive => _server?.IsStarted == true;

    /// <summary>Connections open now.</summary>
    public int Connections => _listener?.Open ?? 0;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var mqtt = options.Value;
        var address = IPAddress.TryParse(mqtt.Host, out var parsed)
            ? parsed
            : (await Dns.GetHostAddressesAsync(mqtt.Host, cancellationToken))[0];
        var serverOptions = new MqttServerOptionsBuilder()
            .WithMaxPendingMessagesPerClient(mqtt.MaxPendingMessagesPerClient)
            .WithPersistentSessions()
            .WithDefaultCommunicationTimeout(TimeSpan.FromSeconds(mqtt.ConnectTimeoutSeconds))
            .Build();

        // What the broker writes to a terminal is small (PUBACKs, a reject, the brain's state): a 4 KiB writer
        // buffer per connection (MQTTnet's default) is most of what a connection costs. It grows when a larger
        // packet needs it and shrinks back after.
        serverOptions.WriterBufferSize = WriterBufferBytes;
        serverOptions.WriterBufferSizeMax = WriterBufferBytes;

        // MQTTnet walks every connection to enforce keep-alive, every 500 ms by default; with tens of thousands of
        // terminals that walk is a cost of its own (4% of the silo's CPU at 8,000 terminals, walked every 2 s). Every
        // 5 s still closes a silent terminal within 1.5 x its keep-alive plus 5 s.
        serverOptions.KeepAliveOptions.MonitorInterval = TimeSpan.FromSeconds(5);
        _listener = new GuardedTcpServerAdapter(address, mqtt.Port, mqtt.MaxConnections, mqtt.MaxPacketBytes, security, logger, mqtt.MaxConnectionsPerAddress);
        _server = new MqttServerFactory().CreateMqttServer(serverOptions, [_listener]);
        _server.ValidatingConnectionAsync += OnConnect;
        _server.ClientConnectedAsync += OnConnected;
        _server.InterceptingPublishAsync += OnPublish;
        _server.InterceptingSubscriptionAsync += OnSubscribe;
        _server.ClientDisconnectedAsync += OnDisconnect;
        _server.SessionDeletedAsync += OnSessionDeleted;
        await _server.StartAsync();
        _ = Task.Run(() => SweepSessions(_stopped.Token), CancellationToken.None);
        rejects.Answer += PublishReject;
        await PublishEpoch(identity.Clustered ? await epoch.Refresh() : epoch.Epoch);
        epoch.Renewed += PublishEpoch;
        if (identity.Clustered)
        {
            _ = Task.Run(() => FollowEpoch(_stopped.Token), CancellationToken.None);
        }

        logger.LogInformation("Embedded MQTT broker listening on {Address}:{Port}; terminal credentials {Required}",
            address, mqtt.Port, mqtt.RequireCredentials ? "required" : "optional");
    }

    private async Task OnConnect(ValidatingConnectionEventArgs e)
    {
        ConnectionTrim.PropertiesWriter(e.ChannelAdapter.PacketFormatterAdapter, logger);
        if (e.ClientId is { } id && id.Length > options.Value.MaxClientIdLength)
        {
            Refuse(e, MqttConnectReasonCode.ClientIdentifierNotValid, "client-id-too-long");
            return;
        }

        if (string.IsNullOrEmpty(e.ClientId))
        {
            // MQTT 5 lets a client leave its id to the broker. Assigned before any refusal, or MQTTnet
            // would answer every refusal of such a client with "client identifier not valid". (MQTTnet
            // refuses an empty id under MQTT 3.1.1 before this point, which that version allows.)
            e.AssignedClientIdentifier = "ib-" + Guid.NewGuid().ToString("N");
        }

        var username = string.IsNullOrEmpty(e.UserName) ? null : e.UserName;
        if (username is not null || e.RawPassword is { Length: > 0 })
        {
            var check = await terminals.Check(username, e.Password, (e.RemoteEndPoint as IPEndPoint)?.Address.ToString() ?? "");
            ConnectionTrim.Password(e, logger);
            if (check.Throttled)
            {
                // Too many wrong passwords for this username or from this address: refused before hashing.
                Refuse(e, MqttConnectReasonCode.QuotaExceeded, "auth-throttled");
                return;
            }

            if (check.Value is null)
            {
                Refuse(e, MqttConnectReasonCode.BadUserNameOrPassword, "bad-credentials");
                return;
            }
        }
        else if (options.Value.RequireCredentials)
        {
            Refuse(e, MqttConnectReasonCode.BadUserNameOrPassword, "no-credentials");
            return;
        }

        if (!string.IsNullOrEmpty(e.ClientId) && _owners.GetOrAdd(e.ClientId, username ?? "") != (username ?? ""))
        {
            Refuse(e, MqttConnectReasonCode.ClientIdentifierNotValid, "session-of-another");
            return;
        }

        ConnectionTrim.SessionItems(e, logger);
        e.SessionItems[UserItem] = username ?? "";
    }

    private void Refuse(ValidatingConnectionEventArgs e, MqttConnectReasonCode code, string reason)
    {
        e.ReasonCode = code;
        security.MqttRefused(reason);
        logger.LogDebug("MQTT connection of client {ClientId} as {Username} refused: {Reason}", Printable(e.ClientId), Printable(e.UserName), reason);
    }

    private static string? Printable(string? text) => text is { Length: > 100 } ? text[..100] + "..." : text;

    /// <summary>A terminal is one connection: a new one with its credential replaces the old one and ends its session.</summary>
    private async Task OnConnected(ClientConnectedEventArgs e)
    {
        if (string.IsNullOrEmpty(e.UserName) || _server is null)
        {
            return;
        }

        string? replaced;
        lock (_sessionsLock)
        {
            _sessionOf.TryGetValue(e.UserName, out replaced);
            _sessionOf[e.UserName] = e.ClientId;
        }

        if (replaced is null || replaced == e.ClientId)
        {
            return;
        }

        try
        {
            security.MqttRefused("session-replaced");
            logger.LogDebug("terminal {Username} connected again as {ClientId}: its session {Replaced} ends", e.UserName, Printable(e.ClientId), Printable(replaced));
            await (await _server.GetSessionAsync(replaced)).DeleteAsync();
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }
    }

    /// <summary>Drops sessions that have been offline longer than Mqtt:OfflineSessionExpirySeconds (or than the client asked, if less).</summary>
    private async Task SweepSessions(CancellationToken stopping)
    {
        var expiry = TimeSpan.FromSeconds(options.Value.OfflineSessionExpirySeconds);
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(Math.Clamp(expiry.TotalSeconds / 2, 1, 60)), time);
        try
        {
            while (await timer.WaitForNextTickAsync(stopping))
            {
                try
                {
                    await ExpireSessions(expiry);
                }
                catch (Exception e) when (!stopping.IsCancellationRequested)
                {
                    logger.LogWarning(e, "expiring offline MQTT sessions failed; trying again at the next sweep");
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    /// <summary>Deletes the sessions offline for longer than <paramref name="expiry"/>; answers how many.</summary>
    public async Task<int> ExpireSessions(TimeSpan expiry)
    {
        if (_server is not { IsStarted: true })
        {
            return 0;
        }

        var now = time.GetUtcNow().UtcDateTime;
        var expired = 0;
        foreach (var session in await _server.GetSessionsAsync())
        {
            var limit = session.ExpiryInterval > 0 && session.ExpiryInterval < expiry.TotalSeconds ? TimeSpan.FromSeconds(session.ExpiryInterval) : expiry;
            if (session.DisconnectedTimestamp is { } gone && now - gone >= limit)
            {
                await session.DeleteAsync();
                expired++;
            }
        }

        return expired;
    }

    /// <summary>Sessions the broker holds now, connected or not (read at each metrics scrape).</summary>
    public int Sessions => _server is { IsStarted: true } server ? server.GetSessionsAsync().GetAwaiter().GetResult().Count : 0;

    private async Task OnPublish(InterceptingPublishEventArgs e)
    {
        var username = e.UserName;
        if (username == BrainUser)
        {
            return;
        }

        var message = e.ApplicationMessage;
        if (_stopping && message.Topic.EndsWith("/status", StringComparison.Ordinal))
        {
            // Stopping the broker sends every connected terminal's Last Will; the terminals are not
            // offline, the brain is. Counts still flow until the broker is down.
            e.ProcessPublish = false;
            return;
        }

        if (TerminalRights.PublishProblem(username, message.Topic) is { } problem)
        {
            Refuse(e, RejectReasons.NotAuthorized, problem);
            return;
        }

        if (_throttle.Enabled)
        {
            var wait = _throttle.Take(string.IsNullOrEmpty(username) ? e.ClientId : username);
            if (wait > TimeSpan.Zero)
            {
                security.Throttled();
                await Task.Delay(wait, time, e.CancellationToken);
            }
        }

        var admission = await ingest.Accept(message.Topic, message.Payload);
        if (admission.Refusal is { } refusal)
        {
            e.ProcessPublish = false;
            e.Response.ReasonCode = ReasonCode(refusal.Reason);
            e.Response.ReasonString = refusal.Reason;
        }
        else if (admission.Ours && !_forwardTerminalMessages)
        {
            // The brain is the one consumer of a terminal's counts and statuses. Routing them on would have
            // MQTTnet test every connected session's subscriptions for every publish: a cost per reading that
            // grows with the number of terminals connected (issue 10). The PUBACK says success.
            e.ProcessPublish = false;
        }
    }

    private string _publishedEpoch = "";

    private Task PublishReject(string topic, byte[] reply) => IsLive ? Publish(topic, reply, retain: false) : Task.CompletedTask;

    private Task PublishEpoch(string renewed)
    {
        _publishedEpoch = renewed;
        return Publish(Topics.BrainState, BrainEpoch.Online(renewed), retain: true);
    }

    /// <summary>
    /// Several silos of a cluster, each with its own embedded broker (terminals spread over them as by a TCP load
    /// balancer): an epoch another silo began is published on this silo's broker too, within
    /// <see cref="EpochFollowInterval"/>, so that every terminal, wherever it is connected, resends.
    /// </summary>
    private async Task FollowEpoch(CancellationToken stopping)
    {
        using var timer = new PeriodicTimer(EpochFollowInterval, time);
        try
        {
            while (await timer.WaitForNextTickAsync(stopping))
            {
                try
                {
                    var current = await epoch.Refresh();
                    if (current != _publishedEpoch)
                    {
                        logger.LogInformation("Brain epoch {Epoch} begun by another silo; published to this silo's terminals", current);
                        await PublishEpoch(current);
                    }
                }
                catch (Exception e) when (!stopping.IsCancellationRequested)
                {
                    logger.LogWarning(e, "reading the cluster's epoch failed; trying again");
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    /// <summary>How often a clustered silo with its own broker looks for an epoch begun elsewhere.</summary>
    public static readonly TimeSpan EpochFollowInterval = TimeSpan.FromSeconds(1);

    /// <summary>Refuses a publish before the ingest sees it; counted and answered like any rejection.</summary>
    private void Refuse(InterceptingPublishEventArgs e, string reason, string detail)
    {
        e.ProcessPublish = false;
        e.Response.ReasonCode = ReasonCode(reason);
        e.Response.ReasonString = reason;
        // Answered on the sender's own reject topic: the terminal it authenticated as, or the one its topic names.
        if (!TerminalVerifier.TryParseUsername(e.UserName, out var enterprise, out var terminal)
            && !Topics.TryParse(e.ApplicationMessage.Topic, out _, out enterprise, out terminal, out _))
        {
            enterprise = terminal = "";
        }

        rejects.Report(new Rejection(enterprise, terminal, reason, null, detail, time.GetUtcNow()));
    }

    private Task OnSubscribe(InterceptingSubscriptionEventArgs e)
    {
        if (TerminalRights.SubscribeProblem(e.UserName, e.TopicFilter.Topic) is { } problem)
        {
            e.ProcessSubscription = false;
            e.Response.ReasonCode = MqttSubscribeReasonCode.NotAuthorized;
            e.ReasonString = RejectReasons.NotAuthorized;
            security.MqttRefused("subscribe-not-authorized");
            logger.LogDebug("subscription of {ClientId}: {Problem}", e.ClientId, problem);
        }

        return Task.CompletedTask;
    }

    private Task OnDisconnect(ClientDisconnectedEventArgs e)
    {
        // A terminal's bucket outlives its connection, or reconnecting would refill it; the buckets of
        // anonymous clients, whose ids are anyone's to invent, go with them.
        if (string.IsNullOrEmpty(e.UserName))
        {
            _throttle.Forget(e.ClientId);
        }

        return Task.CompletedTask;
    }

    private Task OnSessionDeleted(SessionDeletedEventArgs e)
    {
        _owners.TryRemove(e.Id, out _);
        if (!string.IsNullOrEmpty(e.UserName))
        {
            lock (_sessionsLock)
            {
                if (_sessionOf.TryGetValue(e.UserName, out var current) && current == e.Id)
                {
                    _sessionOf.Remove(e.UserName);
                }
            }
        }

        return Task.CompletedTask;
    }

    /// <summary>Disconnects every connection of these terminals (credentials revoked or rotated together), in one pass over the connections.</summary>
    public async Task Disconnect(IReadOnlySet<string> usernames)
    {
        if (_server is not { IsStarted: true } || usernames.Count == 0)
        {
            return;
        }

        foreach (var client in await _server.GetClientsAsync())
        {
            if (client.Session?.Items[UserItem] is string user && usernames.Contains(user))
            {
                await client.DisconnectAsync(new MqttServerClientDisconnectOptions { ReasonCode = MqttDisconnectReasonCode.NotAuthorized });
            }
        }
    }

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
        return _server.InjectApplicationMessage(
            new InjectedMqttApplicationMessage(message) { SenderClientId = "industry-brain", SenderUserName = BrainUser },
            cancellationToken);
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        epoch.Renewed -= PublishEpoch;
        rejects.Answer -= PublishReject;
        _stopping = true;
        await _stopped.CancelAsync();
        if (_server is { IsStarted: true })
        {
            await Publish(Topics.BrainState, BrainEpoch.OfflinePayload, retain: true, cancellationToken);
            await _server.StopAsync();
        }
    }

    public ValueTask DisposeAsync()
    {
        _stopped.Dispose();
        _server?.Dispose();
        return ValueTask.CompletedTask;
    }
}
