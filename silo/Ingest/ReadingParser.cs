using System.Buffers;
using System.Text.Json;
using System.Text.Unicode;
using IndustryBrain.Contracts;
using IndustryBrain.Domain;

namespace IndustryBrain.Silo.Ingest;

/// <summary>A reading as parsed from a count message, with the order it belongs to.</summary>
public readonly record struct ParsedReading(string Order, Reading Reading);

/// <summary>Why a message was refused: the contract's reason, a sentence, and the seq when it is known.</summary>
public sealed record Refusal(string Reason, string Detail, long? Seq = null);

/// <summary>
/// Parses count and status payloads per docs/contract.md. A message is all or nothing: one bad reading
/// refuses the whole message, so nothing of it is applied.
/// </summary>
public static class ReadingParser
{
    public const int MaxPayloadBytes = 64 * 1024;
    public const int MaxReadings = 1_000;
    public const long MaxCount = 1_000_000_000;
    private const string NotUtf8 = "the payload is not valid UTF-8";

    /// <param name="window">How far the terminal's clock is trusted; <see cref="TimestampWindow.Default"/> when null.</param>
    public static Refusal? ParseCounts(ReadOnlySequence<byte> payload, string terminal, DateTimeOffset receivedAt, List<ParsedReading> into,
        TimestampWindow? window = null)
    {
        window ??= TimestampWindow.Default;
        if (payload.Length > MaxPayloadBytes)
        {
            return new Refusal(RejectReasons.TooLarge, $"payload of {payload.Length} bytes is over {MaxPayloadBytes}");
        }

        var start = into.Count;
        payload = Contiguous(payload);
        if (!Utf8.IsValid(payload.FirstSpan))
        {
            // The reader checks JSON's grammar, not the UTF-8 of strings it skips (unknown fields).
            return new Refusal(RejectReasons.MalformedJson, NotUtf8);
        }
        try
        {
            var reader = new Utf8JsonReader(payload, new JsonReaderOptions { MaxDepth = 8 });
            if (!reader.Read())
            {
                return new Refusal(RejectReasons.MalformedJson, "the payload is empty");
            }

            Refusal? refusal;
            if (reader.TokenType == JsonTokenType.StartArray)
            {
                refusal = null;
                while (refusal is null && reader.Read() && reader.TokenType != JsonTokenType.EndArray)
                {
                    if (into.Count - start >= MaxReadings)
                    {
                        refusal = new Refusal(RejectReasons.TooLarge, $"more than {MaxReadings} readings in one message");
                        break;
                    }

                    refusal = ReadOne(ref reader, terminal, receivedAt, window, into, $"reading {into.Count - start}: ");
                }
            }
            else
            {
                refusal = ReadOne(ref reader, terminal, receivedAt, window, into, "");
            }

            if (refusal is null && reader.Read())
            {
                refusal = new Refusal(RejectReasons.MalformedJson, "unexpected content after the JSON value");
            }

            if (refusal is not null)
            {
                into.RemoveRange(start, into.Count - start);
            }

            return refusal;
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException)
        {
            into.RemoveRange(start, into.Count - start);
            return new Refusal(RejectReasons.MalformedJson, Sentence(e));
        }
    }

    private static ReadOnlySequence<byte> Contiguous(ReadOnlySequence<byte> payload) =>
        payload.IsSingleSegment ? payload : new ReadOnlySequence<byte>(payload.ToArray());

    private static Refusal? ReadOne(ref Utf8JsonReader reader, string terminal, DateTimeOffset receivedAt, TimestampWindow window, List<ParsedReading> into, string where)
    {
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            return new Refusal(RejectReasons.InvalidField, where + "a reading must be a JSON object");
        }

        string? order = null, step = null;
        long run = 0, seq = -1, good = -1, scrap = 0;
        DateTimeOffset? ts = null;
        Refusal? refusal = null;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var name = reader.ValueSpan;
            reader.Read();
            if (refusal is not null)
            {
                reader.Skip();
                continue;
            }

            if (name.SequenceEqual("order"u8))
            {
                refusal = Id(ref reader, "order", where, out order);
            }
            else if (name.SequenceEqual("step"u8))
            {
                refusal = Id(ref reader, "step", where, out step);
            }
            else if (name.SequenceEqual("run"u8))
            {
                refusal = Integer(ref reader, "run", int.MaxValue, where, out run);
            }
            else if (name.SequenceEqual("seq"u8))
            {
                refusal = Integer(ref reader, "seq", long.MaxValue, where, out seq);
            }
            else if (name.SequenceEqual("good"u8))
            {
                refusal = Integer(ref reader, "good", MaxCount, where, out good);
            }
            else if (name.SequenceEqual("scrap"u8))
            {
                refusal = Integer(ref reader, "scrap", MaxCount, where, out scrap);
            }
            else if (name.SequenceEqual("ts"u8))
            {
                if (reader.TokenType == JsonTokenType.Null)
                {
                    ts = null;
                }
                else if (reader.TokenType != JsonTokenType.String || !reader.TryGetDateTimeOffset(out var parsed))
                {
                    refusal = new Refusal(RejectReasons.InvalidField, where + "ts must be an RFC 3339 date-time");
                }
                else if (window.Problem(parsed, receivedAt) is { } outside)
                {
                    refusal = new Refusal(RejectReasons.TsOutOfRange, where + outside);
                }
                else
                {
                    ts = parsed;
                }
            }
            else
            {
                reader.Skip(); // unknown fields are allowed, for terminals newer than the brain
            }
        }

        if (reader.TokenType != JsonTokenType.EndObject)
        {
            throw new JsonException("a reading object is not closed");
        }

        var knownSeq = seq >= 0 ? seq : (long?)null;
        if (refusal is not null)
        {
            return refusal with { Seq = knownSeq };
        }

        var missing = order is null ? "order" : step is null ? "step" : seq < 0 ? "seq" : good < 0 ? "good" : null;
        if (missing is not null)
        {
            return new Refusal(RejectReasons.InvalidField, $"{where}{missing} is missing", knownSeq);
        }

        into.Add(new ParsedReading(order!, new Reading(terminal, step!, (int)run, seq, good, scrap, ts ?? receivedAt)));
        return null;
    }

    private static Refusal? Id(ref Utf8JsonReader reader, string field, string where, out string? value)
    {
        value = null;
        if (reader.TokenType != JsonTokenType.String)
        {
            return new Refusal(RejectReasons.InvalidField, $"{where}{field} must be a string");
        }

        if (!reader.ValueIsEscaped && Ids.IsValid(reader.ValueSpan))
        {
            value = IdPool.Shared(reader.ValueSpan);
            return null;
        }

        var text = reader.GetString() ?? "";
        if (!Ids.IsValid(text))
        {
            return new Refusal(RejectReasons.InvalidId, where + Ids.Problem(text, field));
        }

        value = IdPool.Shared(text);
        return null;
    }

    private static Refusal? Integer(ref Utf8JsonReader reader, string field, long max, string where, out long value)
    {
        value = -1;
        if (reader.TokenType != JsonTokenType.Number || !reader.TryGetInt64(out var number))
        {
            return new Refusal(RejectReasons.InvalidField, $"{where}{field} must be a whole number");
        }

        if (number < 0 || number > max)
        {
            return new Refusal(RejectReasons.InvalidField, $"{where}{field} {number} is outside 0..{max}");
        }

        value = number;
        return null;
    }

    /// <summary>Parses a status message: state required, seq, fault and ts optional.</summary>
    public static Refusal? ParseStatus(ReadOnlySequence<byte> payload, string terminal, DateTimeOffset receivedAt, out TerminalStatus? status,
        TimestampWindow? window = null)
    {
        window ??= TimestampWindow.Default;
        status = null;
        if (payload.Length > MaxPayloadBytes)
        {
            return new Refusal(RejectReasons.TooLarge, $"payload of {payload.Length} bytes is over {MaxPayloadBytes}");
        }

        try
        {
            payload = Contiguous(payload);
            if (!Utf8.IsValid(payload.FirstSpan))
            {
                return new Refusal(RejectReasons.MalformedJson, NotUtf8);
            }

            var reader = new Utf8JsonReader(payload, new JsonReaderOptions { MaxDepth = 8 });
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return new Refusal(RejectReasons.InvalidField, "a status must be a JSON object");
            }

            string? state = null, fault = null;
            long seq = -1;
            DateTimeOffset? ts = null;
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var name = reader.GetString();
                reader.Read();
                switch (name)
                {
                    case "state" when reader.TokenType == JsonTokenType.String:
                        state = reader.GetString();
                        break;
                    case "state":
                        return new Refusal(RejectReasons.InvalidField, "state must be a string");
                    case "seq":
                        if (Integer(ref reader, "seq", long.MaxValue, "", out seq) is { } bad)
                        {
                            return bad;
                        }

                        break;
                    case "fault" when reader.TokenType == JsonTokenType.Null:
                        fault = null;
                        break;
                    case "fault" when reader.TokenType == JsonTokenType.String && reader.GetString() is { Length: <= 64 } code:
                        fault = code;
                        break;
                    case "fault":
                        return new Refusal(RejectReasons.InvalidField, "fault must be a code of at most 64 characters, or null");
                    case "ts" when reader.TokenType == JsonTokenType.Null:
                        break;
                    case "ts" when reader.TokenType == JsonTokenType.String && reader.TryGetDateTimeOffset(out var parsed):
                        if (window.Problem(parsed, receivedAt) is { } outside)
                        {
                            return new Refusal(RejectReasons.TsOutOfRange, outside, seq >= 0 ? seq : null);
                        }

                        ts = parsed;
                        break;
                    case "ts":
                        return new Refusal(RejectReasons.InvalidField, "ts must be an RFC 3339 date-time");
                    default:
                        reader.Skip();
                        break;
                }
            }

            if (reader.TokenType != JsonTokenType.EndObject || reader.Read())
            {
                return new Refusal(RejectReasons.MalformedJson, "the status is not one closed JSON object");
            }

            if (state is null || !TerminalStates.IsKnown(state))
            {
                return new Refusal(RejectReasons.InvalidField, "state must be one of running, idle, fault, offline", seq >= 0 ? seq : null);
            }

            status = new TerminalStatus(terminal, state, seq >= 0 ? seq : null, fault, ts ?? receivedAt);
            return null;
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException)
        {
            return new Refusal(RejectReasons.MalformedJson, Sentence(e));
        }
    }

    private static string Sentence(Exception e)
    {
        var message = e.Message;
        var cut = message.IndexOf(" LineNumber", StringComparison.Ordinal);
        var text = cut > 0 ? message[..cut].TrimEnd() : message;
        return e is JsonException { BytePositionInLine: { } position } ? $"{text} (byte {position})" : text;
    }
}
