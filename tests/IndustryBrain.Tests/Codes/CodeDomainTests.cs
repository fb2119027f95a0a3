using IndustryBrain.Codes;
using IndustryBrain.Contracts;
using IndustryBrain.Domain;

namespace IndustryBrain.Tests.Codes;

public sealed class CodeDomainTests
{
    private const string Node = "88.118.5";
    private static readonly VerificationCodes Codes = new(Enumerable.Range(0, 32).Select(i => (byte)(i * 7)).ToArray());

    private static CodeRange Range(long first, long last) =>
        new("88.118.5.12", "QF-2611-0042", first, last, "knives", 1, "slaughter knife", [], null, null, DateTimeOffset.UnixEpoch);

    [Theory]
    [InlineData("88.118.5.12", "QF-2611-0042.000123", "QF-2611-0042", 123)]
    [InlineData("88.118.5.1", "A.B.1", "A.B", 1)]
    [InlineData("88.118.5.7", "QF.999999999999", "QF", 999_999_999_999)]
    public void Handles_read_as_prefix_order_and_serial(string prefix, string suffix, string order, long serial)
    {
        Assert.Null(CodeName.Problem(prefix, suffix, Node, out var name));
        Assert.Equal(new CodeName(prefix, order, serial), name);
    }

    [Theory]
    [InlineData("88.118.6.12", "QF.000001")] // another node
    [InlineData("88.118.5", "QF.000001")] // the node itself, no enterprise number
    [InlineData("88.118.5.0", "QF.000001")]
    [InlineData("88.118.5.012", "QF.000001")]
    [InlineData("88.118.5.x", "QF.000001")]
    [InlineData("88.118.5.12", "QF")] // no serial
    [InlineData("88.118.5.12", "QF.")]
    [InlineData("88.118.5.12", ".000001")]
    [InlineData("88.118.5.12", "QF.000000")] // serials start at 1
    [InlineData("88.118.5.12", "QF.12a")]
    [InlineData("88.118.5.12", "QF.1234567890123")] // 13 digits
    [InlineData("88.118.5.12", "Q F.000001")]
    public void Malformed_handles_are_refused_with_a_reason(string prefix, string suffix)
    {
        Assert.NotNull(CodeName.Problem(prefix, suffix, Node, out _));
    }

    [Fact]
    public void A_serial_is_written_with_six_digits_at_least()
    {
        Assert.Equal("88.118.5.12/QF-2611-0042.000123", new CodeName("88.118.5.12", "QF-2611-0042", 123).Handle);
        Assert.Equal("QF.1234567", new CodeName("88.118.5.12", "QF", 1_234_567).Suffix);
    }

    [Fact]
    public void Verification_codes_are_stable_short_and_differ_from_serial_to_serial()
    {
        var name = new CodeName("88.118.5.12", "QF-2611-0042", 123);
        var code = Codes.For(name);
        Assert.Equal(VerificationCodes.Length, code.Length);
        Assert.Equal(code, Codes.For(name));
        Assert.True(Codes.Verify(name, code));
        Assert.True(Codes.Verify(name, code.ToLowerInvariant()));
        var neighbours = Enumerable.Range(1, 1000).Select(i => Codes.For(name with { Serial = i })).ToHashSet();
        Assert.Equal(1000, neighbours.Count);
    }

    [Fact]
    public void A_forged_code_does_not_verify_whatever_is_changed()
    {
        var name = new CodeName("88.118.5.12", "QF-2611-0042", 123);
        var code = Codes.For(name);

        // Another serial's genuine code, a code one character off, the right code under another key.
        Assert.False(Codes.Verify(name, Codes.For(name with { Serial = 124 })));
        var oneOff = (code[0] == 'A' ? "B" : "A") + code[1..];
        Assert.False(Codes.Verify(name, oneOff));
        Assert.False(Codes.Verify(name, new VerificationCodes(VerificationCodes.NewKey()).For(name)));
        Assert.False(Codes.Verify(name, null));
        Assert.False(Codes.Verify(name, code[..^1]));
        Assert.False(Codes.Verify(name, code + "0"));
        Assert.False(Codes.Verify(name with { Prefix = "88.118.5.13" }, code));
    }

    [Fact]
    public void A_short_key_is_refused() => Assert.Throws<ArgumentException>(() => new VerificationCodes(new byte[16]));

    [Theory]
    [InlineData("06901234567892")]
    [InlineData("6901234567892")] // GTIN-13 (EAN-13)
    [InlineData("036000291452")] // GTIN-12 (UPC-A)
    [InlineData("96385074")] // GTIN-8
    [InlineData("09506000134352")] // GS1's own example
    public void Gtin_check_digits_are_verified(string gtin)
    {
        Assert.Null(Gtins.Problem(gtin, out var gtin14));
        Assert.Equal(14, gtin14.Length);
        Assert.EndsWith(gtin, gtin14, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("06901234567893", "gtin-check-digit")]
    [InlineData("6901234567891", "gtin-check-digit")]
    [InlineData("96385075", "gtin-check-digit")]
    [InlineData("690123456789", "gtin-check-digit")]
    [InlineData("69012345678", "invalid-gtin")] // 11 digits
    [InlineData("69012345678A2", "invalid-gtin")]
    [InlineData("", "invalid-gtin")]
    public void Bad_gtins_are_refused(string gtin, string reason)
    {
        Assert.Equal(reason, Gtins.Problem(gtin, out _)?.Reason);
    }

    [Fact]
    public void The_first_range_of_an_order_starts_at_one_and_the_next_follows_it()
    {
        var first = SerialRanges.Next([], 18_225, 10_000_000, 1_000_000_000);
        Assert.Equal((1L, 18_225L, (string?)null, (string?)null), first);
        var second = SerialRanges.Next([Range(1, 18_225)], 1, 10_000_000, 1_000_000_000);
        Assert.Equal((18_226L, 18_226L), (second.First, second.Last));
    }

    [Fact]
    public void Allocation_stops_exactly_at_its_limits()
    {
        Assert.Null(SerialRanges.Next([], 100, 100, 1000).Reason); // exactly one request's limit
        Assert.Equal("over-allocation", SerialRanges.Next([], 101, 100, 1000).Reason);
        Assert.Null(SerialRanges.Next([Range(1, 900)], 100, 100, 1000).Reason); // fills the order exactly
        Assert.Equal("over-allocation", SerialRanges.Next([Range(1, 901)], 100, 100, 1000).Reason);
        Assert.Equal("invalid-quantity", SerialRanges.Next([], 0, 100, 1000).Reason);
        Assert.Equal("over-allocation", SerialRanges.Next([Range(1, CodeName.MaxSerial)], 1, 100, long.MaxValue).Reason);
    }

    [Fact]
    public void A_serial_is_held_by_its_range_up_to_both_ends_and_not_beyond()
    {
        CodeRange[] ranges = [Range(1, 18_225), Range(18_226, 20_000)];
        Assert.Null(SerialRanges.Holding(ranges, 0));
        Assert.Equal(1, SerialRanges.Holding(ranges, 1)!.First);
        Assert.Equal(1, SerialRanges.Holding(ranges, 18_225)!.First);
        Assert.Equal(18_226, SerialRanges.Holding(ranges, 18_226)!.First);
        Assert.Equal(18_226, SerialRanges.Holding(ranges, 20_000)!.First);
        Assert.Null(SerialRanges.Holding(ranges, 20_001));
    }

    private static Dictionary<string, string> Knife(params (string Key, string Value)[] values) => values.ToDictionary(v => v.Key, v => v.Value);

    [Fact]
    public void The_shipped_templates_are_well_made()
    {
        Assert.Equal(["knives", "scissors", "locks"], CodeTemplates.Shipped.Select(t => t.Id));
        Assert.All(CodeTemplates.Shipped, t => Assert.Null(CodeTemplates.TemplateProblem(t)));
        Assert.Equal("3324", CodeTemplates.Knives.IndustryCode);
    }

    [Fact]
    public void Attributes_are_checked_against_their_template()
    {
        var knives = CodeTemplates.Knives;
        Assert.Null(CodeTemplates.Violation(knives, Knife(("bladeSteel", "5Cr15MoV"), ("bladeLength", "200"), ("hardness", "56.5"))));
        Assert.Contains("required", CodeTemplates.Violation(knives, Knife(("bladeLength", "200"))));
        Assert.Contains("below the minimum", CodeTemplates.Violation(knives, Knife(("bladeSteel", "5Cr15MoV"), ("bladeLength", "19"))));
        Assert.Null(CodeTemplates.Violation(knives, Knife(("bladeSteel", "5Cr15MoV"), ("bladeLength", "20"))));
        Assert.Null(CodeTemplates.Violation(knives, Knife(("bladeSteel", "5Cr15MoV"), ("bladeLength", "600"))));
        Assert.Contains("above the maximum", CodeTemplates.Violation(knives, Knife(("bladeSteel", "5Cr15MoV"), ("bladeLength", "600.1"))));
        Assert.Contains("a number", CodeTemplates.Violation(knives, Knife(("bladeSteel", "5Cr15MoV"), ("bladeLength", "long"))));
        Assert.Contains("not in template", CodeTemplates.Violation(knives, Knife(("bladeSteel", "5Cr15MoV"), ("bladeLength", "200"), ("colour", "red"))));
        Assert.Contains("whole number", CodeTemplates.Violation(CodeTemplates.Locks, Knife(("lockType", "挂锁"), ("securityGrade", "B"), ("keyCombinations", "1.5"))));
    }

    [Fact]
    public void A_badly_made_template_is_refused()
    {
        var knives = CodeTemplates.Knives;
        Assert.NotNull(CodeTemplates.TemplateProblem(knives with { IndustryCode = "33A4" }));
        Assert.NotNull(CodeTemplates.TemplateProblem(knives with { Attributes = [] }));
        Assert.NotNull(CodeTemplates.TemplateProblem(knives with { Attributes = [.. knives.Attributes, knives.Attributes[0]] }));
        Assert.NotNull(CodeTemplates.TemplateProblem(knives with { Attributes = [new("x", "colour", null, false, null, null, null, null)] }));
        Assert.NotNull(CodeTemplates.TemplateProblem(knives with { Attributes = [new("x", "text", null, false, 1, null, null, null)] }));
        Assert.NotNull(CodeTemplates.TemplateProblem(knives with { Attributes = [new("x", "number", null, false, 5, 1, null, null)] }));
    }

    [Fact]
    public void A_scan_log_counts_every_scan_but_keeps_a_bounded_list()
    {
        var log = new ScanLog();
        var start = DateTimeOffset.Parse("2026-11-30T08:00:00+08:00", System.Globalization.CultureInfo.InvariantCulture);
        var first = log.Record(start, " 重庆 ");
        Assert.Equal(1, first.Count);
        Assert.Equal(new ScanEntry(start, "重庆"), first.First);
        ScanSummary last = first;
        for (var i = 1; i < 1000; i++)
        {
            last = new ScanLog(last).Record(start.AddMinutes(i), i % 2 == 0 ? "成都" : null);
        }

        Assert.Equal(1000, last.Count);
        Assert.Equal(new ScanEntry(start, "重庆"), last.First);
        Assert.Equal(start.AddMinutes(999), last.Last.At);
        Assert.Equal(ScanLog.RecentKept, last.Recent.Length);
        Assert.True(ScanLog.Warns(last, 5));
        Assert.False(ScanLog.Warns(first, 5));
        Assert.Equal(new string('x', ScanLog.MaxPlaceLength), ScanLog.Coarse(new string('x', 500)));
        Assert.Equal("ab", ScanLog.Coarse("a\u202Eb\n"));
    }

    [Fact]
    public void Step_times_keep_the_first_and_last_reading_even_out_of_order()
    {
        var times = new StepTimes();
        var t0 = DateTimeOffset.Parse("2026-11-30T08:00:00+08:00", System.Globalization.CultureInfo.InvariantCulture);
        times.Observe("forge", t0.AddHours(1));
        times.Observe("forge", t0);
        times.Observe("forge", t0.AddHours(3));
        times.Observe("forge", t0.AddHours(2));
        times.Observe("pack", default); // a reading without a time says nothing
        Assert.Equal(new StepSpan(t0, t0.AddHours(3)), times.Of("forge"));
        Assert.Null(times.Of("pack"));
        Assert.Equal(new StepSpan(t0, t0.AddHours(3)), StepTimes.Restore(times.Snapshot()).Of("forge"));
    }

    [Fact]
    public void Scan_days_keep_a_month()
    {
        var days = new ScanDays();
        var d0 = new DateOnly(2026, 1, 1);
        for (var i = 0; i < 40; i++)
        {
            days.Add(d0.AddDays(i), 2, 1, $"code-{i}");
        }

        days.Add(d0.AddDays(39), 1, 0, null);
        Assert.Equal(ScanDays.DaysKept, days.Days.Count);
        Assert.Equal(new ScanDay(d0.AddDays(39), 3, 1, "code-39"), days.On(d0.AddDays(39)));
        Assert.Equal(0, days.On(d0).Scans);
    }
}
