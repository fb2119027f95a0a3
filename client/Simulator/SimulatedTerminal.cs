using System.Buffers;
using System.Text.Json;

namespace IndustryBrain.Client.Simulator;

/// <summary>The latest cumulative reading of one run of a terminal's counter.</summary>
public readonly record struct RunCount(int Run, long Seq, long Good, long Scrap);

/// <summary>
/// One machine station: it counts one step of one order with a cumulative counter, as the contract's
/// terminals do. It remembers the latest reading of every run, for the resync and for the expected totals.
/// The publishing loop advances it while a resync may read its latest readings.
/// </summary>
public sealed class SimulatedTerminal
{
    private const int RecentMessages = 16;
    private readonly Lock _gate = new();
    private readonly List<RunCount> _runs = [new RunCount(0, -1, 0, 0)];
    private readonly byte[]?[] _recent = new byte[]?[RecentMessages];
    private long _seq = -1;
    private int _recentCount;

    public SimulatedTerminal(string enterprise, string terminal, string order, string step)
    {
        Enterprise = enterprise;
        Terminal = terminal;
        Order = order;
        Step = step;
        CountTopic = $"ib/{enterprise}/{terminal}/count";
        StatusTopic = $"ib/{enterprise}/{terminal}/status";
        RejectTopic = $"ib/{enterprise}/{terminal}/reject";
    }

    public string Enterprise { get; }
    public string Terminal { get; }
    public string Order { get; }
    public string Step { get; }
    public string CountTopic { get; }
    public string StatusTopic { get; }
    public string RejectTopic { get; }

    public long Seq
    {
        get
        {
            lock (_gate)
            {
                return _seq;
            }
        }
    }

    /// <summary>The latest reading of every run that has one.</summary>
    public RunCount[] Latest()
    {
        lock (_gate)
        {
            return [.. _runs.Where(r => r.Seq >= 0)];
        }
    }

    /// <summary>
    /// Counts <paramref name="readings"/> more readings (1 to 3 good pieces each, now and then a scrapped
    /// one; with chance <paramref name="resetChance"/> the counter is reset first) and writes them as one
    /// count message: an object for one reading, an array for several. Answers how many resets happened.
    /// </summary>
    public int Count(int readings, Random random, double resetChance, DateTimeOffset now, ArrayBufferWriter<byte> buffer, out byte[] payload)
    {
        var resets = 0;
        buffer.ResetWrittenCount();
        using var json = new Utf8JsonWriter(buffer);
        lock (_gate)
        {
            if (readings > 1)
            {
                json.WriteStartArray();
            }

            for (var i = 0; i < readings; i++)
            {
                var current = _runs[^1];
                if (resetChance > 0 && current.Seq >= 0 && random.NextDouble() < resetChance)
                {
                    _runs.Add(current = new RunCount(current.Run + 1, -1, 0, 0));
                    resets++;
                }

                var scrapped = random.Next(50) == 0 ? 1 : 0;
                current = new RunCount(current.Run, ++_seq, current.Good + random.Next(1, 4), current.Scrap + scrapped);
                _runs[^1] = current;
                Write(json, current, now);
            }

            if (readings > 1)
            {
                json.WriteEndArray();
            }
        }

        json.Flush();
        payload = buffer.WrittenSpan.ToArray();
        return resets;
    }

    /// <summary>The latest reading of every run, as messages of at most <paramref name="perMessage"/> readings, for a resync.</summary>
    public List<(byte[] Payload, int Readings)> Resync(DateTimeOffset now, int perMessage = 500)
    {
        var messages = new List<(byte[], int)>();
        foreach (var chunk in Latest().Chunk(perMessage))
        {
            var buffer = new ArrayBufferWriter<byte>(256);
            using (var json = new Utf8JsonWriter(buffer))
            {
                json.WriteStartArray();
                foreach (var run in chunk)
                {
                    Write(json, run, now);
                }

                json.WriteEndArray();
            }

            messages.Add((buffer.WrittenSpan.ToArray(), chunk.Length));
        }

        return messages;
    }

    /// <summary>Keeps a sent message, so that it can be resent later as a duplicate.</summary>
    public void Remember(byte[] payload) => _recent[_recentCount++ % RecentMessages] = payload;

    /// <summary>One of the terminal's recent messages, or null before it sent any.</summary>
    public byte[]? Older(Random random) =>
        _recentCount == 0 ? null : _recent[random.Next(Math.Min(_recentCount, RecentMessages))];

    public byte[] StatusPayload(string state)
    {
        var buffer = new ArrayBufferWriter<byte>(128);
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("state", state);
            json.WriteNumber("seq", Math.Max(0, Seq));
            json.WriteString("ts", DateTimeOffset.UtcNow);
            json.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    private void Write(Utf8JsonWriter json, RunCount reading, DateTimeOffset now)
    {
        json.WriteStartObject();
        json.WriteString("order", Order);
        json.WriteString("step", Step);
        json.WriteNumber("run", reading.Run);
        json.WriteNumber("seq", reading.Seq);
        json.WriteNumber("good", reading.Good);
        json.WriteNumber("scrap", reading.Scrap);
        json.WriteString("ts", now);
        json.WriteEndObject();
    }
}
