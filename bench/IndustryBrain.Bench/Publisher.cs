using System.Buffers;
using System.Buffers.Text;
using System.Diagnostics;
using MQTTnet;
using MQTTnet.Protocol;

namespace IndustryBrain.Bench;

/// <summary>What a publisher run did.</summary>
public sealed record Published(long Messages, long Readings, long Refused, TimeSpan Elapsed, string? FirstRefusal);

/// <summary>
/// The terminals' side: one MQTT 5 connection per gateway, several lanes per connection each awaiting
/// its PUBACK (QoS 1) before the next message, contract JSON payloads with cumulative counts. A message
/// carries one reading, or an array of up to <c>readingsPerMessage</c> readings of one terminal.
/// </summary>
public static class Publisher
{
    private const int BufferBytes = 64 * 1024;

    /// <summary>Connects every connection first, then starts <paramref name="clock"/> at the first publish.</summary>
    public static async Task<Published> Run(int port, Terminals terminals, int readingsPerMessage, string clientPrefix, Stopwatch clock)
    {
        var clients = new MqttTerminal[terminals.Connections];
        try
        {
            await Parallel.ForAsync(0, clients.Length, async (c, _) =>
            {
                var id = $"{clientPrefix}-{c:000}";
                clients[c] = await MqttTerminal.ConnectWith(port, clientPrefix, id, options => options
                    .WithClientId(id)
                    .WithKeepAlivePeriod(TimeSpan.FromSeconds(60))
                    .WithTimeout(TimeSpan.FromSeconds(120)));
            });

            long messages = 0, readings = 0, refused = 0;
            string? firstRefusal = null;
            var start = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var lanes = terminals.Lanes.Select(lane => Task.Run(async () =>
            {
                await start.Task;
                var buffer = new byte[BufferBytes];
                var feeds = lane.Feeds;
                var f = 0;
                long laneMessages = 0, laneReadings = 0, laneRefused = 0;
                while (true)
                {
                    Feed? feed = null;
                    for (var tried = 0; tried < feeds.Length; tried++, f++)
                    {
                        if (feeds[f % feeds.Length].Remaining > 0)
                        {
                            feed = feeds[f % feeds.Length];
                            f++;
                            break;
                        }
                    }

                    if (feed is null)
                    {
                        break;
                    }

                    var count = (int)Math.Min(readingsPerMessage, feed.Remaining);
                    var length = Write(buffer, feed, count, asArray: readingsPerMessage > 1);
                    var message = new MqttApplicationMessageBuilder()
                        .WithTopic(feed.Topic)
                        .WithPayloadSegment(new ReadOnlyMemory<byte>(buffer, 0, length))
                        .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce)
                        .Build();
                    var result = await clients[lane.Connection].Client.PublishAsync(message);
                    if (result.ReasonCode is not (MqttClientPublishReasonCode.Success or MqttClientPublishReasonCode.NoMatchingSubscribers))
                    {
                        laneRefused++;
                        Interlocked.CompareExchange(ref firstRefusal, $"{result.ReasonCode} {result.ReasonString}", null);
                    }

                    laneMessages++;
                    laneReadings += count;
                }

                Interlocked.Add(ref messages, laneMessages);
                Interlocked.Add(ref readings, laneReadings);
                Interlocked.Add(ref refused, laneRefused);
            })).ToArray();

            clock.Restart();
            start.SetResult();
            await Task.WhenAll(lanes);
            var elapsed = clock.Elapsed;
            return new Published(messages, readings, refused, elapsed, firstRefusal);
        }
        finally
        {
            foreach (var client in clients)
            {
                if (client is not null)
                {
                    try
                    {
                        await client.DisposeAsync();
                    }
                    catch (Exception)
                    {
                        // Best effort: the broker may already be gone.
                    }
                }
            }
        }
    }

    /// <summary>
    /// Writes <paramref name="count"/> readings of <paramref name="feed"/> as the contract's JSON, e.g.
    /// {"order":"QF-2611-0042","step":"rough-grind","run":0,"seq":1042,"good":8642,"scrap":3,"ts":"2026-11-22T08:15:30Z"}.
    /// </summary>
    public static int Write(byte[] buffer, Feed feed, int count, bool asArray)
    {
        var at = 0;
        Span<byte> ts = stackalloc byte[40];
        Utf8Formatter.TryFormat(DateTime.UtcNow, ts, out var tsLength, new StandardFormat('O'));
        ts = ts[..tsLength];
        var plant = feed.Plant;
        if (asArray)
        {
            buffer[at++] = (byte)'[';
        }

        for (var r = 0; r < count; r++)
        {
            var i = feed.Advance();
            if (r > 0)
            {
                buffer[at++] = (byte)',';
            }

            Append(buffer, ref at, "{\"order\":\""u8);
            Append(buffer, ref at, plant.OrderUtf8[feed.Orders[i]]);
            Append(buffer, ref at, "\",\"step\":\""u8);
            Append(buffer, ref at, plant.StepUtf8[feed.Step]);
            Append(buffer, ref at, "\",\"run\":0,\"seq\":"u8);
            Number(buffer, ref at, feed.Seq[i]);
            Append(buffer, ref at, ",\"good\":"u8);
            Number(buffer, ref at, feed.Good[i]);
            Append(buffer, ref at, ",\"scrap\":"u8);
            Number(buffer, ref at, feed.Scrap[i]);
            Append(buffer, ref at, ",\"ts\":\""u8);
            Append(buffer, ref at, ts);
            Append(buffer, ref at, "\"}"u8);
        }

        if (asArray)
        {
            buffer[at++] = (byte)']';
        }

        return at;
    }

    private static void Append(byte[] buffer, ref int at, ReadOnlySpan<byte> text)
    {
        text.CopyTo(buffer.AsSpan(at));
        at += text.Length;
    }

    private static void Number(byte[] buffer, ref int at, long value)
    {
        Utf8Formatter.TryFormat(value, buffer.AsSpan(at), out var written);
        at += written;
    }
}
