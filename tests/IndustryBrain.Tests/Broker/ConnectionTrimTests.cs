using System.Net;
using System.Reflection;
using System.Text;
using IndustryBrain.Silo.Mqtt;
using Microsoft.Extensions.Logging.Abstractions;
using MQTTnet.Adapter;
using MQTTnet.Diagnostics.Logger;
using MQTTnet.Formatter;
using MQTTnet.Implementations;
using MQTTnet.Internal;
using MQTTnet.Packets;
using MQTTnet.Protocol;

namespace IndustryBrain.Tests.Broker;

/// <summary>
/// The trims reach MQTTnet's fields on the version the silo is built with (they fail here when a new MQTTnet
/// renames them), and a trimmed connection writes the same bytes as an untrimmed one, packets larger than the trimmed
/// buffers included.
/// </summary>
public sealed class ConnectionTrimTests
{
    private static readonly string Long = string.Concat(Enumerable.Repeat("reading refused: ", 30));

    private static MqttPacket[] Packets() =>
    [
        new MqttConnAckPacket
        {
            ReasonCode = MqttConnectReasonCode.Success,
            AssignedClientIdentifier = "ib-" + new string('a', 32),
            ReceiveMaximum = 100,
            TopicAliasMaximum = 10,
            MaximumQoS = MqttQualityOfServiceLevel.AtLeastOnce,
            RetainAvailable = true,
            WildcardSubscriptionAvailable = true,
            ServerKeepAlive = 15,
        },
        new MqttPubAckPacket { PacketIdentifier = 7, ReasonCode = MqttPubAckReasonCode.PayloadFormatInvalid, ReasonString = Long },
        new MqttPubAckPacket { PacketIdentifier = 8, ReasonCode = MqttPubAckReasonCode.Success },
        new MqttPublishPacket
        {
            Topic = "ib/firm/T1/reject",
            PayloadSegment = new ArraySegment<byte>("""{"reason":"negative-quantity"}"""u8.ToArray()),
            QualityOfServiceLevel = MqttQualityOfServiceLevel.AtLeastOnce,
            PacketIdentifier = 9,
            ContentType = "application/json",
            UserProperties = [new MqttUserProperty("why", new ReadOnlyMemory<byte>(Encoding.UTF8.GetBytes(Long)))],
        },
        new MqttPubAckPacket { PacketIdentifier = 10, ReasonCode = MqttPubAckReasonCode.Success, ReasonString = "ok" },
    ];

    private static byte[] Encoded(MqttPacketFormatterAdapter formatter, MqttPacket packet)
    {
        var buffer = formatter.Encode(packet);
        return [.. buffer.Join()];
    }

    /// <summary>How many waiters the connection's send lock has room for (its queue's array), read through reflection.</summary>
    private static int WaiterRoom(MqttChannelAdapter adapter)
    {
        const BindingFlags Hidden = BindingFlags.Instance | BindingFlags.NonPublic;
        var sendLock = typeof(MqttChannelAdapter).GetField("_syncRoot", Hidden)!.GetValue(adapter)!;
        var waiters = typeof(AsyncLock).GetField("_waiters", Hidden)!.GetValue(sendLock)!;
        return ((Array)waiters.GetType().GetField("_array", Hidden)!.GetValue(waiters)!).Length;
    }

    [Fact]
    public void A_trimmed_mqtt5_connection_encodes_every_packet_as_an_untrimmed_one_does()
    {
        var plain = new MqttPacketFormatterAdapter(MqttProtocolVersion.V500, new MqttBufferWriter(256, 256));
        var trimmed = new MqttPacketFormatterAdapter(MqttProtocolVersion.V500, new MqttBufferWriter(256, 256));
        Assert.True(ConnectionTrim.PropertiesWriter(trimmed, NullLogger.Instance), "the properties writer was not replaced");
        Assert.False(ConnectionTrim.Broken);

        foreach (var packet in Packets().Concat(Packets()))
        {
            Assert.Equal(Encoded(plain, packet), Encoded(trimmed, packet));
        }
    }

    [Fact]
    public void A_session_gets_a_small_dictionary_for_its_items_that_keeps_what_is_written()
    {
        using var adapter = new MqttChannelAdapter(new MqttTcpChannel(), new MqttPacketFormatterAdapter(new MqttBufferWriter(256, 256)), MqttNetNullLogger.Instance);
        var e = new MQTTnet.Server.ValidatingConnectionEventArgs(new MqttConnectPacket { ClientId = "T1" }, adapter,
            new System.Collections.Concurrent.ConcurrentDictionary<object, object>(), default);
        Assert.True(ConnectionTrim.SessionItems(e, NullLogger.Instance));
        Assert.IsType<System.Collections.Specialized.ListDictionary>(e.SessionItems);
        e.SessionItems["ib.user"] = "qiaofeng-T1";
        Assert.Equal("qiaofeng-T1", e.SessionItems["ib.user"]);

        // Items someone wrote already are never dropped: such a dictionary is left as it is.
        Assert.False(ConnectionTrim.SessionItems(e, NullLogger.Instance));
        Assert.Equal("qiaofeng-T1", e.SessionItems["ib.user"]);
        Assert.False(ConnectionTrim.Broken);
    }

    [Fact]
    public void A_checked_password_is_not_kept_in_the_connect_packet_the_connection_holds()
    {
        using var adapter = new MqttChannelAdapter(new MqttTcpChannel(), new MqttPacketFormatterAdapter(new MqttBufferWriter(256, 256)), MqttNetNullLogger.Instance);
        var packet = new MqttConnectPacket { ClientId = "T1", Username = "qiaofeng/T1", Password = Encoding.UTF8.GetBytes("the-terminal-secret") };
        var e = new MQTTnet.Server.ValidatingConnectionEventArgs(packet, adapter, new System.Collections.Concurrent.ConcurrentDictionary<object, object>(), default);
        Assert.Equal("the-terminal-secret", e.Password);

        Assert.True(ConnectionTrim.Password(e, NullLogger.Instance));
        Assert.Null(packet.Password);
        Assert.Null(e.RawPassword);
        Assert.Equal(("T1", "qiaofeng/T1"), (packet.ClientId, packet.Username));
        Assert.False(ConnectionTrim.Broken);
    }

    [Fact]
    public void An_mqtt311_connection_has_no_properties_writer_to_trim()
    {
        var formatter = new MqttPacketFormatterAdapter(MqttProtocolVersion.V311, new MqttBufferWriter(256, 256));
        Assert.True(ConnectionTrim.PropertiesWriter(formatter, NullLogger.Instance));
        Assert.NotEmpty(Encoded(formatter, new MqttPubAckPacket { PacketIdentifier = 1 }));
    }

    [Fact]
    public async Task A_trimmed_send_lock_still_sends_every_packet_once_under_contention()
    {
        using var stream = new MemoryStream();
        var channel = new MqttTcpChannel(stream, new IPEndPoint(IPAddress.Loopback, 1883), new IPEndPoint(IPAddress.Loopback, 40000), null);
        var formatter = new MqttPacketFormatterAdapter(MqttProtocolVersion.V500, new MqttBufferWriter(256, 256));
        using var adapter = new MqttChannelAdapter(channel, formatter, MqttNetNullLogger.Instance);
        var before = WaiterRoom(adapter);
        Assert.True(ConnectionTrim.SendLock(adapter, NullLogger.Instance), "the send lock's queue was not trimmed");
        Assert.Equal((64, 0), (before, WaiterRoom(adapter)));

        const int Sends = 500;
        await Task.WhenAll(Enumerable.Range(1, Sends).Select(i =>
            Task.Run(() => adapter.SendPacketAsync(new MqttPubAckPacket { PacketIdentifier = (ushort)i }, CancellationToken.None))));

        // A PUBACK with reason code 0 and no properties is 4 bytes under MQTT 5 (2 of header, 2 of packet id).
        Assert.Equal(Sends * 4, stream.Length);
    }
}
