namespace IndustryBrain.Silo.Mqtt;

/// <summary>
/// Follows MQTT's framing (a fixed-header byte, a remaining length of 1 to 4 bytes, a body) over the bytes
/// a connection sends, and refuses a packet whose declared length is over the limit as soon as the length
/// is known, before anyone allocates a buffer for it. MQTTnet's server allocates whatever a packet
/// declares, up to 256 MB, so without this one connection could take the silo's memory.
/// </summary>
public sealed class MqttPacketGuard(int maxPacketBytes)
{
    private int _lengthBytes;
    private int _length;
    private int _multiplier = 1;
    private long _bodyLeft;
    private Stage _stage = Stage.Header;

    private enum Stage
    {
        Header,
        Length,
        Body,
    }

    public int MaxPacketBytes => maxPacketBytes;

    /// <summary>Takes the next bytes of the connection; throws <see cref="MqttPacketTooLargeException"/> for a packet over the limit.</summary>
    public void Scan(ReadOnlySpan<byte> data)
    {
        var i = 0;
        while (i < data.Length)
        {
            switch (_stage)
            {
                case Stage.Header:
                    i++;
                    _stage = Stage.Length;
                    _length = 0;
                    _multiplier = 1;
                    _lengthBytes = 0;
                    break;
                case Stage.Length:
                    var b = data[i++];
                    _length += (b & 0x7F) * _multiplier;
                    _multiplier *= 128;
                    _lengthBytes++;
                    if (_length > maxPacketBytes)
                    {
                        throw new MqttPacketTooLargeException(maxPacketBytes);
                    }

                    if ((b & 0x80) == 0)
                    {
                        _bodyLeft = _length;
                        _stage = _length == 0 ? Stage.Header : Stage.Body;
                    }
                    else if (_lengthBytes == 4)
                    {
                        throw new MqttPacketTooLargeException(maxPacketBytes);
                    }

                    break;
                default:
                    var take = (int)Math.Min(_bodyLeft, data.Length - i);
                    i += take;
                    _bodyLeft -= take;
                    if (_bodyLeft == 0)
                    {
                        _stage = Stage.Header;
                    }

                    break;
            }
        }
    }
}

/// <summary>A packet declared a length over the limit; the connection is closed.</summary>
public sealed class MqttPacketTooLargeException(int limit) : IOException($"an MQTT packet is over {limit} bytes");
