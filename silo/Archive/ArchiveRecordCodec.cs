using System.Diagnostics;
using System.Text.Json;
using IndustryBrain.Contracts;

namespace IndustryBrain.Silo.Archive;

/// <summary>
/// One queued archive record as bytes, for the spool on disk: a length, then the kind, the wall-clock time it was
/// queued and its fields. Readings, statuses and days are written field by field (a reading is about 40 bytes);
/// an ended bundle, rare, as JSON.
/// </summary>
public static class ArchiveRecordCodec
{
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
                to.Write(readings.Count);
                foreach (var r in readings)
                {
                    to.Write(r.Terminal);
                    to.Write(r.Step);
                    to.Write(r.Run);
                    to.Write(r.Seq);
                    to.Write(r.Good);
                    to.Write(r.Scrap);
                    to.Write(r.Ts.UtcTicks);
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
                    var count = from.ReadInt32();
                    if (count is < 0 or > 10_000_000)
                    {
                        throw new InvalidDataException($"a record of {count} readings");
                    }

                    var readings = new Reading[count];
                    for (var i = 0; i < count; i++)
                    {
                        readings[i] = new Reading(from.ReadString(), from.ReadString(), from.ReadInt32(), from.ReadInt64(), from.ReadInt64(), from.ReadInt64(),
                            new DateTimeOffset(from.ReadInt64(), TimeSpan.Zero));
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
