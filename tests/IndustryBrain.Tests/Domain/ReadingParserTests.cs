using System.Buffers;
using System.Text;
using IndustryBrain.Contracts;
using IndustryBrain.Silo.Ingest;

namespace IndustryBrain.Tests.Domain;

public sealed class ReadingParserTests
{
    private static readonly DateTimeOffset Received = new(2026, 11, 22, 8, 20, 0, TimeSpan.Zero);

    private static ReadOnlySequence<byte> Payload(string json) => new(Encoding.UTF8.GetBytes(json));

    private static (Refusal? Refusal, List<ParsedReading> Readings) Counts(string json)
    {
        var readings = new List<ParsedReading>();
        return (ReadingParser.ParseCounts(Payload(json), "T1", Received, readings), readings);
    }

    private static Refusal Refused(string json)
    {
        var (refusal, readings) = Counts(json);
        Assert.Empty(readings);
        return Assert.IsType<Refusal>(refusal);
    }

    private static string Minimal(int seq) => $$"""{"order":"o","step":"s","seq":{{seq}},"good":{{seq}}}""";

    [Fact]
    public void A_full_reading_is_parsed_with_every_field()
    {
        var (refusal, readings) = Counts("""
            {"order":"QF-2611-0042","step":"rough-grind","run":2,"seq":1042,"good":8642,"scrap":3,"ts":"2026-11-22T08:15:30Z"}
            """);

        Assert.Null(refusal);
        Assert.Equal(
            [new ParsedReading("QF-2611-0042", new Reading("T1", "rough-grind", 2, 1042, 8642, 3, DateTimeOffset.Parse("2026-11-22T08:15:30Z")))],
            readings);
    }

    [Fact]
    public void Run_scrap_and_ts_default_to_zero_zero_and_the_receive_time()
    {
        var (refusal, readings) = Counts("""{"order":"QF-1","step":"forge","seq":0,"good":0}""");

        Assert.Null(refusal);
        Assert.Equal([new ParsedReading("QF-1", new Reading("T1", "forge", 0, 0, 0, 0, Received))], readings);
    }

    [Fact]
    public void A_null_ts_is_the_receive_time_and_a_ts_with_an_offset_keeps_its_instant()
    {
        var (_, nullTs) = Counts("""{"order":"o","step":"s","seq":1,"good":1,"ts":null}""");
        var (_, offsetTs) = Counts("""{"order":"o","step":"s","seq":1,"good":1,"ts":"2026-11-22T16:15:30+08:00"}""");

        Assert.Equal(Received, nullTs[0].Reading.Ts);
        Assert.Equal(DateTimeOffset.Parse("2026-11-22T08:15:30Z"), offsetTs[0].Reading.Ts);
    }

    [Fact]
    public void Fields_may_come_in_any_order()
    {
        var (refusal, readings) = Counts("""{"ts":"2026-11-22T08:15:30Z","good":5,"scrap":1,"seq":9,"run":1,"step":"s","order":"o"}""");

        Assert.Null(refusal);
        Assert.Equal(new Reading("T1", "s", 1, 9, 5, 1, DateTimeOffset.Parse("2026-11-22T08:15:30Z")), readings[0].Reading);
    }

    [Fact]
    public void Unknown_fields_of_any_shape_are_ignored()
    {
        var (refusal, readings) = Counts("""
            {"order":"o","firmware":"2.1","step":"s","extra":{"a":[1,2,{"b":null}],"c":true},"seq":1,"good":2,"temperature":41.5,"tags":[]}
            """);

        Assert.Null(refusal);
        Assert.Equal([new ParsedReading("o", new Reading("T1", "s", 0, 1, 2, 0, Received))], readings);
    }

    [Fact]
    public void An_escaped_id_is_unescaped_and_checked()
    {
        var (refusal, readings) = Counts("""{"order":"QF\u002D1","step":"s","seq":1,"good":1}""");

        Assert.Null(refusal);
        Assert.Equal("QF-1", readings[0].Order);
        Assert.Equal(RejectReasons.InvalidId, Refused("""{"order":"QF\u00201","step":"s","seq":1,"good":1}""").Reason);
    }

    [Fact]
    public void An_array_gives_its_readings_in_order()
    {
        var (refusal, readings) = Counts("""
            [{"order":"A","step":"s","seq":1,"good":10},
             {"order":"B","step":"t","run":1,"seq":2,"good":20,"scrap":2},
             {"order":"A","step":"s","seq":3,"good":30}]
            """);

        Assert.Null(refusal);
        Assert.Equal(
            [
                new ParsedReading("A", new Reading("T1", "s", 0, 1, 10, 0, Received)),
                new ParsedReading("B", new Reading("T1", "t", 1, 2, 20, 2, Received)),
                new ParsedReading("A", new Reading("T1", "s", 0, 3, 30, 0, Received)),
            ],
            readings);
    }

    [Fact]
    public void An_empty_array_gives_no_readings_and_no_refusal()
    {
        var (refusal, readings) = Counts("[]");

        Assert.Null(refusal);
        Assert.Empty(readings);
    }

    [Fact]
    public void An_array_of_1000_readings_is_taken()
    {
        var json = "[" + string.Join(",", Enumerable.Range(0, 1000).Select(Minimal)) + "]";

        var (refusal, readings) = Counts(json);

        Assert.Null(refusal);
        Assert.Equal(1000, readings.Count);
        Assert.Equal(999, readings[^1].Reading.Seq);
    }

    [Fact]
    public void An_array_of_1001_readings_is_too_large_and_none_is_taken()
    {
        var json = "[" + string.Join(",", Enumerable.Range(0, 1001).Select(Minimal)) + "]";
        Assert.True(Encoding.UTF8.GetByteCount(json) <= ReadingParser.MaxPayloadBytes);

        var refusal = Refused(json);

        Assert.Equal(new Refusal(RejectReasons.TooLarge, "more than 1000 readings in one message"), refusal);
    }

    [Fact]
    public void A_payload_of_exactly_64_KiB_is_taken()
    {
        var reading = """{"order":"o","step":"s","seq":1,"good":1,"pad":""}""";
        var json = reading.Insert(reading.Length - 2, new string('x', 65536 - reading.Length));
        Assert.Equal(65536, Encoding.UTF8.GetByteCount(json));

        var (refusal, readings) = Counts(json);

        Assert.Null(refusal);
        Assert.Single(readings);
    }

    [Fact]
    public void A_payload_one_byte_over_64_KiB_is_too_large()
    {
        var reading = """{"order":"o","step":"s","seq":1,"good":1,"pad":""}""";
        var json = reading.Insert(reading.Length - 2, new string('x', 65537 - reading.Length));

        Assert.Equal(new Refusal(RejectReasons.TooLarge, "payload of 65537 bytes is over 65536"), Refused(json));
    }

    [Fact]
    public void One_bad_reading_refuses_the_whole_array_and_leaves_what_was_already_parsed()
    {
        var earlier = new ParsedReading("X", new Reading("T0", "s", 0, 1, 1, 0, Received));
        var readings = new List<ParsedReading> { earlier };

        var refusal = ReadingParser.ParseCounts(Payload("""
            [{"order":"A","step":"s","seq":1,"good":10},{"order":"A","step":"s","seq":2,"good":20},{"order":"A","step":"s","seq":3}]
            """), "T1", Received, readings);

        Assert.Equal(new Refusal(RejectReasons.InvalidField, "reading 2: good is missing", 3), refusal);
        Assert.Equal([earlier], readings);
    }

    [Fact]
    public void Malformed_json_inside_an_array_refuses_the_whole_array()
    {
        var refusal = Refused("""[{"order":"A","step":"s","seq":1,"good":10},{"order":"A","step":"s","seq":2,"good":2""");

        Assert.Equal(RejectReasons.MalformedJson, refusal.Reason);
    }

    [Fact]
    public void A_reading_that_is_not_an_object_is_an_invalid_field()
    {
        Assert.Equal(new Refusal(RejectReasons.InvalidField, "a reading must be a JSON object"), Refused("42"));
        Assert.Equal(new Refusal(RejectReasons.InvalidField, "a reading must be a JSON object"), Refused("\"reading\""));
        Assert.Equal(new Refusal(RejectReasons.InvalidField, "reading 1: a reading must be a JSON object"),
            Refused("""[{"order":"A","step":"s","seq":1,"good":10},[1]]"""));
    }

    [Theory]
    [InlineData("""{"step":"s","seq":1,"good":1}""", "order is missing", 1L)]
    [InlineData("""{"order":"o","seq":1,"good":1}""", "step is missing", 1L)]
    [InlineData("""{"order":"o","step":"s","good":1}""", "seq is missing", null)]
    [InlineData("""{"order":"o","step":"s","seq":4}""", "good is missing", 4L)]
    [InlineData("""{}""", "order is missing", null)]
    public void A_missing_required_field_is_an_invalid_field_named_with_the_seq_when_known(string json, string detail, long? seq) =>
        Assert.Equal(new Refusal(RejectReasons.InvalidField, detail, seq), Refused(json));

    [Theory]
    [InlineData("""{"order":5,"step":"s","seq":1,"good":1}""", "order must be a string")]
    [InlineData("""{"order":"o","step":null,"seq":1,"good":1}""", "step must be a string")]
    [InlineData("""{"order":"o","step":"s","seq":"1","good":1}""", "seq must be a whole number")]
    [InlineData("""{"order":"o","step":"s","seq":1.5,"good":1}""", "seq must be a whole number")]
    [InlineData("""{"order":"o","step":"s","seq":-1,"good":1}""", "seq -1 is outside 0..9223372036854775807")]
    [InlineData("""{"order":"o","step":"s","seq":9223372036854775808,"good":1}""", "seq must be a whole number")]
    [InlineData("""{"order":"o","step":"s","seq":1,"good":1.0}""", "good must be a whole number")]
    [InlineData("""{"order":"o","step":"s","seq":1,"good":true}""", "good must be a whole number")]
    [InlineData("""{"order":"o","step":"s","seq":1,"good":-1}""", "good -1 is outside 0..1000000000")]
    [InlineData("""{"order":"o","step":"s","seq":1,"good":1000000001}""", "good 1000000001 is outside 0..1000000000")]
    [InlineData("""{"order":"o","step":"s","seq":1,"good":1,"scrap":-3}""", "scrap -3 is outside 0..1000000000")]
    [InlineData("""{"order":"o","step":"s","seq":1,"good":1,"scrap":1000000001}""", "scrap 1000000001 is outside 0..1000000000")]
    [InlineData("""{"order":"o","step":"s","seq":1,"good":1,"scrap":"2"}""", "scrap must be a whole number")]
    [InlineData("""{"order":"o","step":"s","seq":1,"good":1,"run":-1}""", "run -1 is outside 0..2147483647")]
    [InlineData("""{"order":"o","step":"s","seq":1,"good":1,"run":2147483648}""", "run 2147483648 is outside 0..2147483647")]
    [InlineData("""{"order":"o","step":"s","seq":1,"good":1,"ts":"yesterday"}""", "ts must be an RFC 3339 date-time")]
    [InlineData("""{"order":"o","step":"s","seq":1,"good":1,"ts":1732263330}""", "ts must be an RFC 3339 date-time")]
    public void A_field_of_the_wrong_type_or_range_is_an_invalid_field(string json, string detail) =>
        Assert.Equal((RejectReasons.InvalidField, detail), (Refused(json).Reason, Refused(json).Detail));

    [Fact]
    public void Counts_at_the_top_of_their_range_are_taken()
    {
        var (refusal, readings) = Counts("""{"order":"o","step":"s","run":2147483647,"seq":9223372036854775807,"good":1000000000,"scrap":1000000000}""");

        Assert.Null(refusal);
        Assert.Equal(new Reading("T1", "s", int.MaxValue, long.MaxValue, 1_000_000_000, 1_000_000_000, Received), readings[0].Reading);
    }

    [Fact]
    public void The_refusal_carries_the_seq_when_it_came_before_the_bad_field()
    {
        Assert.Equal(new Refusal(RejectReasons.InvalidField, "good -1 is outside 0..1000000000", 77),
            Refused("""{"order":"o","step":"s","seq":77,"good":-1}"""));
        Assert.Equal(new Refusal(RejectReasons.InvalidField, "reading 1: good -1 is outside 0..1000000000", 8),
            Refused("""[{"order":"o","step":"s","seq":7,"good":1},{"order":"o","step":"s","seq":8,"good":-1}]"""));
    }

    [Theory]
    [InlineData("""{"order":"QF 1","step":"s","seq":1,"good":1}""", "order 'QF 1' has characters outside [A-Za-z0-9._-]")]
    [InlineData("""{"order":"","step":"s","seq":1,"good":1}""", "order is missing")]
    [InlineData("""{"order":"o","step":"粗磨","seq":1,"good":1}""", "step '粗磨' has characters outside [A-Za-z0-9._-]")]
    [InlineData("""{"order":"o","step":"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx","seq":1,"good":1}""", "step is longer than 64 characters")]
    [InlineData("""{"order":"a/b","step":"s","seq":1,"good":1}""", "order 'a/b' has characters outside [A-Za-z0-9._-]")]
    public void An_id_outside_the_contract_is_an_invalid_id(string json, string detail) =>
        Assert.Equal(new Refusal(RejectReasons.InvalidId, detail), Refused(json));

    [Fact]
    public void An_invalid_id_in_an_array_names_the_reading_and_carries_its_seq()
    {
        Assert.Equal(new Refusal(RejectReasons.InvalidId, "reading 1: order 'QF 2' has characters outside [A-Za-z0-9._-]", 2),
            Refused("""[{"order":"QF-1","step":"s","seq":1,"good":1},{"seq":2,"order":"QF 2","step":"s","good":1}]"""));
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("hello")]
    [InlineData("""{"order":"o","step":"s","seq":1,"good":1""")]
    [InlineData("""{"order":"o","step":"s","seq":1,"good":1,}""")]
    [InlineData("""{'order':'o','step':'s','seq':1,'good':1}""")]
    [InlineData("""{"order":"o","step":"s","seq":1,"good":1} x""")]
    [InlineData("""{"order":"o","step":"s","seq":1,"good":1}{"order":"o","step":"s","seq":2,"good":2}""")]
    [InlineData("""[{"order":"o","step":"s","seq":1,"good":1}""")]
    [InlineData("""{"order":"o","step":"s","seq":1,"good":1,"x":[[[[[[[[1]]]]]]]]}""")]
    public void Text_that_is_not_one_json_value_is_malformed_json(string json)
    {
        var refusal = Refused(json);

        Assert.Equal(RejectReasons.MalformedJson, refusal.Reason);
        Assert.False(string.IsNullOrWhiteSpace(refusal.Detail));
        Assert.DoesNotContain("LineNumber", refusal.Detail);
    }

    [Fact]
    public void An_id_that_is_not_utf8_is_malformed_json()
    {
        var bytes = Encoding.UTF8.GetBytes("""{"order":"QF-x","step":"s","seq":1,"good":1}""");
        bytes[13] = 0xFF;
        var readings = new List<ParsedReading>();

        var refusal = ReadingParser.ParseCounts(new ReadOnlySequence<byte>(bytes), "T1", Received, readings);

        Assert.Equal(RejectReasons.MalformedJson, refusal?.Reason);
        Assert.Empty(readings);
    }

    [Fact]
    public void A_payload_split_over_several_segments_parses_like_one()
    {
        var bytes = Encoding.UTF8.GetBytes("""[{"order":"QF-1","step":"forge","seq":1,"good":10},{"order":"QF-1","step":"forge","seq":2,"good":20}]""");
        var readings = new List<ParsedReading>();

        var refusal = ReadingParser.ParseCounts(Sequences.Of(bytes.AsMemory(0, 7), bytes.AsMemory(7, 30), bytes.AsMemory(37)), "T1", Received, readings);

        Assert.Null(refusal);
        Assert.Equal([10L, 20L], readings.Select(r => r.Reading.Good));
    }

    [Fact]
    public void A_full_status_is_parsed()
    {
        var refusal = ReadingParser.ParseStatus(Payload("""{"state":"fault","seq":77,"ts":"2026-11-22T08:15:30Z","fault":"E-17","firmware":"2.1"}"""),
            "T1", Received, out var status);

        Assert.Null(refusal);
        Assert.Equal(new TerminalStatus("T1", "fault", 77, "E-17", DateTimeOffset.Parse("2026-11-22T08:15:30Z")), status);
    }

    [Fact]
    public void A_last_will_status_has_no_seq_and_the_receive_time()
    {
        var refusal = ReadingParser.ParseStatus(Payload("""{"state":"offline"}"""), "T1", Received, out var status);

        Assert.Null(refusal);
        Assert.Equal(new TerminalStatus("T1", "offline", null, null, Received), status);
    }

    [Theory]
    [InlineData("""{"state":"running","seq":1,"ts":null,"fault":null}""")]
    [InlineData("""{"state":"idle"}""")]
    public void Null_ts_and_fault_are_allowed(string json) =>
        Assert.Null(ReadingParser.ParseStatus(Payload(json), "T1", Received, out _));

    [Theory]
    [InlineData("""{"state":"broken","seq":3}""", RejectReasons.InvalidField, "state must be one of running, idle, fault, offline", 3L)]
    [InlineData("""{"seq":3}""", RejectReasons.InvalidField, "state must be one of running, idle, fault, offline", 3L)]
    [InlineData("""{"state":"Running"}""", RejectReasons.InvalidField, "state must be one of running, idle, fault, offline", null)]
    [InlineData("""{"state":1}""", RejectReasons.InvalidField, "state must be a string", null)]
    [InlineData("""{"state":"fault","fault":17}""", RejectReasons.InvalidField, "fault must be a code of at most 64 characters, or null", null)]
    [InlineData("""{"state":"fault","fault":"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"}""", RejectReasons.InvalidField, "fault must be a code of at most 64 characters, or null", null)]
    [InlineData("""{"state":"idle","ts":"soon"}""", RejectReasons.InvalidField, "ts must be an RFC 3339 date-time", null)]
    [InlineData("""{"state":"idle","seq":-2}""", RejectReasons.InvalidField, "seq -2 is outside 0..9223372036854775807", null)]
    [InlineData("""["running"]""", RejectReasons.InvalidField, "a status must be a JSON object", null)]
    [InlineData("""{"state":"idle"} {}""", RejectReasons.MalformedJson, null, null)]
    [InlineData("""{"state":"idle" """, RejectReasons.MalformedJson, null, null)]
    public void A_bad_status_is_refused_with_its_reason(string json, string reason, string? detail, long? seq)
    {
        var refusal = ReadingParser.ParseStatus(Payload(json), "T1", Received, out var status);

        Assert.Null(status);
        Assert.NotNull(refusal);
        Assert.Equal(reason, refusal.Reason);
        if (detail is not null)
        {
            Assert.Equal(detail, refusal.Detail);
        }

        Assert.Equal(seq, refusal.Seq);
    }

    [Fact]
    public void A_status_over_64_KiB_is_too_large()
    {
        var json = """{"state":"idle","pad":"" }""".Replace("\"\"", "\"" + new string('x', 65536) + "\"");

        var refusal = ReadingParser.ParseStatus(Payload(json), "T1", Received, out var status);

        Assert.Null(status);
        Assert.Equal(RejectReasons.TooLarge, refusal?.Reason);
    }
}
