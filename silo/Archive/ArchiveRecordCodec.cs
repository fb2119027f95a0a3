using System.Diagnostics;
using System.Text.Json;
using IndustryBrain.Contracts;

namespace IndustryBrain.Silo.Archive;

/// <summary>
/// One queued archive record as bytes, for the spool on disk: a length, then the kind, the wall-clock time it was
/// queued and its fields. Readings, statuses and days are written field by field; a record's readings name each
/// (terminal, step) once and write their numbers as varints and their times as differences (about 15 bytes a
/// reading); an ended bundle, rare, as JSON.
/// </summary>
public static class ArchiveRecordCodec
{
    [ThreadStatic]
    private static Dictionary<(string, string), int>? t_names;

    private static long ZigZag(long value) => (value << 1) ^ (value >> 63);

    private static long UnZigZag(long value) => (long)((ulong)value >> 1) ^ -(value & 1);

    /// <summary>The record's bytes after its 4-byte length.</summary>
    public static void Write(BinaryWriter to, ArchiveItem item)
    {
        to.Write((byte)item.Kind);
        to.Write(DateTime.UtcNow.Ticks - Stopwatch.GetElapsedTime(item.QueuedAt).Ticks);
        to.Write(item.Enterprise);
        switch (item.Kind)
        {
            case ArchiveKind.Readings:
                var readings = (IReadOnlyList<Reading>)item.Payload;
                to.Write(item.Key!);
                to.Write7BitEncodedInt(readings.Count);
                var names = t_names ??= [];
                names.Clear();
                var previousTicks = 0L;
                foreach (var r in readings)
                {
                    // (terminal, step) once a record, then its index; numbers as varints, the time as a difference.
                    if (!names.TryGetValue((r.Terminal, r.Step), out var name))
                    {
                        name = names.Count;
                        names[(r.Terminal, r.Step)] = name;
                        to.Write7BitEncodedInt(name);
                        to.Write(r.Terminal);
                        to.Write(r.Step);
                    }
                    else
                    {
                        to.Write7BitEncodedInt(name);
                    }

                    to.Write7BitEncodedInt(r.Run);
                    to.Write7BitEncodedInt64(r.Seq);
                    to.Write7BitEncodedInt64(r.Good);
                    to.Write7BitEncodedInt64(r.Scrap);
                    to.Write7BitEncodedInt64(ZigZag(r.Ts.UtcTicks - previousTicks));
                    previousTicks = r.Ts.UtcTicks;
                }

                break;
            case ArchiveKind.Status:
                var status = (TerminalStatus)item.Payload;
                to.Write(status.Terminal);
                to.Write(status.State);
                WriteOptional(to, status.Seq);
                WriteOptional(to, status.Fault);
                to.Write(status.Ts.UtcTicks);
                break;
            case ArchiveKind.Day:
                var day = (ArchivedDay)item.Payload;
                WriteOptional(to, day.ChainNode);
                to.Write(day.Date.DayNumber);
                to.Write(day.Units);
                to.Write(day.Value);
                to.Write(day.AsOf.UtcTicks);
                break;
            case ArchiveKind.Bundle:
                to.Write(JsonSerializer.Serialize((BundleView)item.Payload, JsonSerializerOptions.Web));
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(item), item.Kind, "not an archive record");
        }
    }

    /// <summary>A record from its bytes (after the length); throws <see cref="InvalidDataException"/> on bytes that are not one.</summary>
    public static ArchiveItem Read(BinaryReader from)
    {
        try
        {
            var kind = (ArchiveKind)from.ReadByte();
            var age = TimeSpan.FromTicks(Math.Max(0, DateTime.UtcNow.Ticks - from.ReadInt64()));
            var queuedAt = Stopwatch.GetTimestamp() - (long)(age.TotalSeconds * Stopwatch.Frequency);
            var enterprise = from.ReadString();
            switch (kind)
            {
                case ArchiveKind.Readings:
                    var order = from.ReadString();
                    var count = from.Read7BitEncodedInt();
                    if (count is < 0 or > 10_000_000)
                    {
                        throw new InvalidDataException($"a record of {count} readings");
                    }

                    var readings = new Reading[count];
                    var names = new List<(string Terminal, string Step)>();
                    var ticks = 0L;
                    for (var i = 0; i < count; i++)
                    {
                        var name = from.Read7BitEncodedInt();
                        if (name == names.Count)
                        {
                            names.Add((from.ReadString(), from.ReadString()));
                        }
                        else if ((uint)name > (uint)names.Count)
                        {
                            throw new InvalidDataException($"terminal and step {name} of {names.Count}");
                        }

                        var (terminal, step) = names[name];
                        var run = from.Read7BitEncodedInt();
                        var (seq, good, scrap) = (from.Read7BitEncodedInt64(), from.Read7BitEncodedInt64(), from.Read7BitEncodedInt64());
                        ticks += UnZigZag(from.Read7BitEncodedInt64());
                        readings[i] = new Reading(terminal, step, run, seq, good, scrap, new DateTimeOffset(ticks, TimeSpan.Zero));
                    }

                    return new ArchiveItem(kind, enterprise, order, readings, queuedAt, count);
                case ArchiveKind.Status:
                    var status = new TerminalStatus(from.ReadString(), from.ReadString(), ReadOptionalLong(from), ReadOptionalString(from),
                        new DateTimeOffset(from.ReadInt64(), TimeSpan.Zero));
                    return new ArchiveItem(kind, enterprise, null, status, queuedAt, 1);
                case ArchiveKind.Day:
                    var node = ReadOptionalString(from);
                    var day = new ArchivedDay(enterprise, node, DateOnly.FromDayNumber(from.ReadInt32()), from.ReadInt64(), from.ReadDecimal(),
                        new DateTimeOffset(from.ReadInt64(), TimeSpan.Zero));
                    return new ArchiveItem(kind, enterprise, node, day, queuedAt, 1);
                case ArchiveKind.Bundle:
                    var bundle = JsonSerializer.Deserialize<BundleView>(from.ReadString(), JsonSerializerOptions.Web)
                        ?? throw new InvalidDataException("an empty bundle");
                    return new ArchiveItem(kind, enterprise, bundle.Bundle, bundle, queuedAt, 1);
                default:
                    throw new InvalidDataException($"record kind {(byte)kind}");
            }
        }
        catch (Exception e) when (e is EndOfStreamException or JsonException or ArgumentException or FormatException or OverflowException)
        {
            throw new InvalidDataException("a spooled archive record that does not read back", e);
        }
    }

    private static void WriteOptional(BinaryWriter to, string? value)
    {
        to.Write(value is not null);
        if (value is not null)
        {
            to.Write(value);
        }
    }

    private static void WriteOptional(BinaryWriter to, long? value)
    {
        to.Write(value is not null);
        if (value is { } v)
        {
            to.Write(v);
        }
    }

    private static string? ReadOptionalString(BinaryReader from) => from.ReadBoolean() ? from.ReadString() : null;

    private static long? ReadOptionalLong(BinaryReader from) => from.ReadBoolean() ? from.ReadInt64() : null;
}
