using System.Collections;
using System.Collections.Specialized;
using System.Reflection;
using System.Runtime.CompilerServices;
using MQTTnet.Adapter;
using MQTTnet.Formatter;
using MQTTnet.Formatter.V5;
using MQTTnet.Internal;
using MQTTnet.Packets;
using MQTTnet.Server;

namespace IndustryBrain.Silo.Mqtt;

/// <summary>
/// Shrinks what MQTTnet 5.2 makes for every connection at a size a terminal never needs, with no setting for any:
/// MQTT 5's properties writer (1 KiB; what the broker sends a terminal carries a few dozen bytes of properties), the
/// send lock's queue of waiters (room for 64, 536 bytes; a terminal's sends rarely wait), both of which grow again
/// when a packet needs it, the session's concurrent dictionary of items (about half a KiB for one item), and the
/// password in the CONNECT packet kept for the connection's life. The first two were 1.4 of the 10.6 KiB of heap a
/// connected terminal took.
/// MQTTnet's fields are reached by name: if a new version renames them, nothing is trimmed and the silo says so
/// once; <c>ConnectionTrimTests</c> fails on such a version.
/// </summary>
public static class ConnectionTrim
{
    /// <summary>Bytes the properties writer starts with, and returns to after a larger packet.</summary>
    public const int PropertiesBytes = 128;

    private static readonly FieldInfo? Waiters = typeof(AsyncLock).GetField("_waiters", BindingFlags.Instance | BindingFlags.NonPublic);
    private static readonly MethodInfo? TrimExcess = Waiters?.FieldType.GetMethod("TrimExcess", Type.EmptyTypes);
    private static int _broken;

    /// <summary>Whether a trim failed on this MQTTnet: then nothing more is tried.</summary>
    public static bool Broken => Volatile.Read(ref _broken) != 0;

    /// <summary>Empties the send lock's queue of a connection not yet in use; answers whether it did.</summary>
    public static bool SendLock(MqttChannelAdapter adapter, ILogger logger) => Trim(logger, () =>
    {
        if (TrimExcess is null)
        {
            throw new MissingMemberException(nameof(AsyncLock), "_waiters");
        }

        TrimExcess.Invoke(Waiters!.GetValue(SyncRootOf(adapter)), null);
    });

    /// <summary>
    /// Gives MQTT 5's encoder of a connection a small properties writer; answers whether it did. Call it after the
    /// protocol is known (the CONNECT was read) and before anything is sent: the connection's validation.
    /// </summary>
    public static bool PropertiesWriter(MqttPacketFormatterAdapter formatter, ILogger logger) =>
        FormatterOf(formatter) is not MqttV5PacketFormatter v5 || Trim(logger, () =>
            PropertiesWriterOf(EncoderOf(v5)) = new MqttV5PropertiesWriter(new MqttBufferWriter(PropertiesBytes, PropertiesBytes)));

    private static bool Trim(ILogger logger, Action trim)
    {
        if (Broken)
        {
            return false;
        }

        try
        {
            trim();
            return true;
        }
        catch (Exception e) when (e is MissingMemberException or TargetException or InvalidCastException)
        {
            if (Interlocked.Exchange(ref _broken, 1) == 0)
            {
                logger.LogWarning(e, "MQTTnet's per-connection buffers could not be trimmed on this version: each connection takes about 1.4 KiB more");
            }

            return false;
        }
    }

    /// <summary>
    /// Gives a connection's session a small dictionary for its items instead of MQTTnet's concurrent one (about half a
    /// KiB even with one item; a terminal's session keeps one, its username, written here at the validation and only
    /// read after); answers whether it did. Call it at the validation, before the session is made.
    /// </summary>
    public static bool SessionItems(ValidatingConnectionEventArgs e, ILogger logger) =>
        e.SessionItems.Count == 0 && Trim(logger, () => SessionItemsOf(e) = new ListDictionary());

    /// <summary>
    /// Drops the password from the CONNECT packet MQTTnet keeps for as long as the connection lasts, once the
    /// validation has checked it: the terminal's secret is not held in the silo's memory for the connection's life
    /// (nor seen in a heap dump), and the bytes are not kept for every terminal. Answers whether it did.
    /// </summary>
    public static bool Password(ValidatingConnectionEventArgs e, ILogger logger) =>
        Trim(logger, () => ConnectPacketOf(e).Password = null);

    [UnsafeAccessor(UnsafeAccessorKind.Field, Name = "_connectPacket")]
    private static extern ref MqttConnectPacket ConnectPacketOf(ValidatingConnectionEventArgs e);

    [UnsafeAccessor(UnsafeAccessorKind.Field, Name = "<SessionItems>k__BackingField")]
    private static extern ref IDictionary SessionItemsOf(ValidatingConnectionEventArgs e);

    [UnsafeAccessor(UnsafeAccessorKind.Field, Name = "_syncRoot")]
    private static extern ref AsyncLock SyncRootOf(MqttChannelAdapter adapter);

    [UnsafeAccessor(UnsafeAccessorKind.Field, Name = "_formatter")]
    private static extern ref IMqttPacketFormatter FormatterOf(MqttPacketFormatterAdapter adapter);

    [UnsafeAccessor(UnsafeAccessorKind.Field, Name = "_encoder")]
    private static extern ref MqttV5PacketEncoder EncoderOf(MqttV5PacketFormatter formatter);

    [UnsafeAccessor(UnsafeAccessorKind.Field, Name = "_propertiesWriter")]
    private static extern ref MqttV5PropertiesWriter PropertiesWriterOf(MqttV5PacketEncoder encoder);
}
