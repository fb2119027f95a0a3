using System.Text;
using System.Text.Json;
using IndustryBrain.Contracts;
using IndustryBrain.Domain;
using IndustryBrain.Silo.Api;

namespace IndustryBrain.Tests.Domain;

/// <summary>The plain rules behind issue 16: time window, per-firm reject shelves, texts, exact numbers, pledge visibility.</summary>
public sealed class HostileInputRulesTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 30, 12, 0, 0, TimeSpan.Zero);

    [Theory]
    [InlineData(0, true)]
    [InlineData(300, true)]
    [InlineData(301, false)]
    [InlineData(-30 * 86_400, true)]
    [InlineData(-30 * 86_400 - 1, false)]
    public void A_timestamp_is_trusted_from_30_days_back_to_5_minutes_ahead(int seconds, bool trusted) =>
        Assert.Equal(trusted, TimestampWindow.Default.Problem(Now.AddSeconds(seconds), Now) is null);

    [Fact]
    public void The_window_never_throws_at_the_edges_of_time()
    {
        var window = new TimestampWindow(TimeSpan.MaxValue, TimeSpan.MaxValue);
        Assert.Null(window.Problem(DateTimeOffset.MaxValue, DateTimeOffset.MinValue));
        Assert.Null(window.Problem(DateTimeOffset.MinValue, DateTimeOffset.MaxValue));
        Assert.Contains("ahead", TimestampWindow.Default.Problem(DateTimeOffset.MaxValue, Now), StringComparison.Ordinal);
        Assert.Contains("before", TimestampWindow.Default.Problem(DateTimeOffset.MinValue, Now), StringComparison.Ordinal);
    }

    private static Rejection R(string enterprise, long seq) => new(enterprise, "T1", "malformed-json", seq, "x", Now.AddSeconds(seq));

    [Fact]
    public void A_firms_flood_fills_its_own_shelf_only()
    {
        var shelves = new RejectShelves(perEnterprise: 3, maxEnterprises: 10);
        shelves.Add(R("quiet", 1));
        for (var seq = 2; seq < 1_000; seq++)
        {
            shelves.Add(R("noisy", seq));
        }

        Assert.Equal([1L], shelves.Recent("quiet", 100).Select(r => r.Seq!.Value));
        Assert.Equal([999L, 998L, 997L], shelves.Recent("noisy", 100).Select(r => r.Seq!.Value));
        Assert.Equal([999L, 998L, 997L, 1L], shelves.Recent(null, 100).Select(r => r.Seq!.Value));
        Assert.Equal([999L, 998L], shelves.Recent(null, 2).Select(r => r.Seq!.Value));
        Assert.Equal(4, shelves.Count);
    }

    [Fact]
    public void Beyond_the_most_shelves_new_firms_and_unattributed_rejects_share_one_and_never_take_anothers()
    {
        var shelves = new RejectShelves(perEnterprise: 2, maxEnterprises: 2);
        shelves.Add(R("a", 1));
        shelves.Add(R("b", 2));
        shelves.Add(R("c", 3));
        shelves.Add(R("", 4));
        shelves.Add(R("d", 5));
        shelves.Add(R("c", 6));

        Assert.Equal(2, shelves.Enterprises);
        Assert.Equal([1L], shelves.Recent("a", 10).Select(r => r.Seq!.Value));
        Assert.Equal([2L], shelves.Recent("b", 10).Select(r => r.Seq!.Value));
        // The shared shelf keeps the newest two of c, "", d, c; c's are found there.
        Assert.Equal([6L], shelves.Recent("c", 10).Select(r => r.Seq!.Value));
        Assert.Equal([6L, 5L, 2L, 1L], shelves.Recent(null, 10).Select(r => r.Seq!.Value));
    }

    [Theory]
    [InlineData("巧锋刀具 Qiaofeng Knives (重庆)", null)]
    [InlineData("emoji 🔪 and 𠀀 are fine", null)]
    [InlineData("nul\0", "name has a control or formatting character (U+0000) at position 3")]
    [InlineData("tab\there", "name has a control or formatting character (U+0009) at position 3")]
    [InlineData("line\u2028sep", "name has a control or formatting character (U+2028) at position 4")]
    [InlineData("\u202Egnp.exe", "name has a control or formatting character (U+202E) at position 0")]
    [InlineData("del\u007F", "name has a control or formatting character (U+007F) at position 3")]
    public void Names_hold_no_control_or_direction_characters(string name, string? problem) => Assert.Equal(problem, Texts.Problem(name, "name"));

    [Fact]
    public void A_lone_surrogate_is_refused() =>
        Assert.Equal("name has a control or formatting character (U+D800) at position 5", Texts.Problem("lone " + (char)0xD800 + " surrogate", "name"));

    [Theory]
    [InlineData("0", true)]
    [InlineData("-0.0e-999999999999", true)]
    [InlineData("38.5", true)]
    [InlineData("1e3", true)]
    [InlineData("1.000000000000000000000000000", true)]
    [InlineData("1234567890123456789012345678", true)]
    [InlineData("0.0000000000000000000000000001", true)]
    [InlineData("1.0000000000000000000000000000001", false)]
    [InlineData("12345678901234567890123456789", false)]
    [InlineData("0.00000000000000000000000000001", false)]
    [InlineData("1e-29", false)]
    [InlineData("1E+99999999999999999999", true)] // exact in digits; out of range, which TryGetDecimal refuses
    public void A_number_is_exact_when_a_decimal_holds_every_digit(string number, bool exact) =>
        Assert.Equal(exact, ExactDecimalConverter.IsExact(Encoding.ASCII.GetBytes(number)));

    [Theory]
    [InlineData("""{"v":38.5}""", true)]
    [InlineData("""{"v":1.0000000000000000000000000000001}""", false)]
    [InlineData("""{"v":1e400}""", false)]
    [InlineData("""{"v":"30"}""", false)]
    public void Strict_json_reads_decimals_exactly_and_numbers_only_as_numbers(string json, bool read)
    {
        var options = StrictJson.Harden(new JsonSerializerOptions(JsonSerializerDefaults.Web));
        if (read)
        {
            Assert.Equal(38.5m, JsonSerializer.Deserialize<Holder>(json, options)!.V);
        }
        else
        {
            Assert.ThrowsAny<JsonException>(() => JsonSerializer.Deserialize<Holder>(json, options));
        }
    }

    private sealed record Holder(decimal? V);

    [Fact]
    public void A_firm_sees_a_bundles_totals_and_its_own_pledge_only()
    {
        var view = new BundleView("b", "open", "steel", "t", null, 100, [new Tier(50, 90)], 50, Now, null, 65, 0, 90, 5850, 650, 2,
            [new PledgeView("quiet", 25, 2250, 250, Now), new PledgeView("noisy", 40, 3600, 400, Now)]);

        var quiet = PledgeVisibility.SeenBy(view, "quiet");
        var nobody = PledgeVisibility.SeenBy(view, "");

        Assert.Equal([view.Pledges[0]], quiet.Pledges);
        Assert.Equal(view with { Pledges = quiet.Pledges }, quiet);
        Assert.Empty(nobody.Pledges);
        Assert.Equal((65m, 0, 2), (nobody.TotalQuantity, nobody.TierReached, nobody.Participants));
        Assert.Same(view, PledgeVisibility.SeenBy(view, null));
    }
}
