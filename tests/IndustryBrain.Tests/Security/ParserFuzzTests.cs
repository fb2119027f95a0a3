using System.Buffers;
using System.Diagnostics;
using System.Text;
using System.Text.Json;
using IndustryBrain.Contracts;
using IndustryBrain.Domain;
using IndustryBrain.Silo.Ingest;
using Xunit.Abstractions;

namespace IndustryBrain.Tests.Security;

/// <summary>
/// The ingest parser against 100,000 mutated and random count payloads and 20,000 status payloads, seeded
/// (IB_FUZZ_SEED) and bounded in time: none may throw or hang; each is either refused with one of the
/// contract's reasons, leaving nothing behind, or taken with exactly the values an independent JSON reading
/// of it gives.
/// </summary>
public sealed class ParserFuzzTests(ITestOutputHelper output)
{
    public const int CountInputs = 100_000;
    public const int StatusInputs = 20_000;
    private static readonly TimeSpan Bound = TimeSpan.FromMinutes(3);
    private static readonly DateTimeOffset ReceivedAt = new(2026, 11, 22, 8, 15, 0, TimeSpan.Zero);

    private static readonly string[] CountSeeds =
    [
        """{"order":"QF-2611-0042","step":"rough-grind","run":0,"seq":1042,"good":8642,"scrap":3,"ts":"2026-11-22T08:15:30Z"}""",
        """{"order":"QF-1","step":"pack","seq":1,"good":0}""",
        """[{"order":"A","step":"s1","seq":1,"good":5},{"order":"B","step":"s2","run":2,"seq":9,"good":7,"scrap":1,"ts":"2026-11-22T08:15:30+08:00"}]""",
        """{"order":"o.1_x-2","step":"edge","run":3,"seq":0,"good":1000000000,"scrap":1000000000,"ts":null,"extra":{"nested":[1,2,3]}}""",
        """[{"order":"Z","step":"qc","seq":7,"good":70}]""",
    ];

    private static readonly string[] StatusSeeds =
    [
        """{"state":"running","seq":77,"ts":"2026-11-22T08:15:30Z","fault":null}""",
        """{"state":"fault","fault":"E-17"}""",
        """{"state":"offline"}""",
        """{"state":"idle","seq":0,"ts":"2026-11-22T08:15:30+08:00","note":[true,false]}""",
    ];

    [Fact]
    public async Task Every_count_payload_is_taken_exactly_or_refused_with_a_reason_and_leaves_nothing()
    {
        var mutator = new Mutator(Mutator.SeedFromEnvironment());
        var (taken, refused) = await Bounded(() => RunCounts(mutator));
        output.WriteLine($"seed {mutator.Seed}: {CountInputs} count payloads, {taken} taken, {refused} refused");
        Assert.Equal(CountInputs, taken + refused);
        Assert.True(taken > CountInputs / 20, $"only {taken} were taken: the mutations are too blunt to test taking");
        Assert.True(refused > CountInputs / 2, $"only {refused} were refused");
    }

    [Fact]
    public async Task Every_status_payload_is_taken_exactly_or_refused_with_a_reason()
    {
        var mutator = new Mutator(Mutator.SeedFromEnvironment() + 1);
        var (taken, refused) = await Bounded(() => RunStatuses(mutator));
        output.WriteLine($"seed {mutator.Seed}: {StatusInputs} status payloads, {taken} taken, {refused} refused");
        Assert.Equal(StatusInputs, taken + refused);
        Assert.True(taken > StatusInputs / 40 && refused > StatusInputs / 3, $"{taken} taken, {refused} refused");
    }

    private static async Task<(int Taken, int Refused)> Bounded(Func<(int, int)> run)
    {
        var clock = Stopwatch.StartNew();
        var result = await Task.Run(run).WaitAsync(Bound);
        Assert.True(clock.Elapsed < Bound);
        return result;
    }

    private static byte[] Input(Mutator mutator, string[] seeds) =>
        mutator.Chance(0.15) ? mutator.Noise() : mutator.Mutate(mutator.Pick(seeds));

    [Fact]
    public void Every_reading_time_is_taken_only_within_the_window_the_brain_trusts()
    {
        // Times across DateTimeOffset's whole range and around the window's edges, in every offset: the parser
        // must never throw, and must take a time exactly when an independent reading of it lies in the window.
        var mutator = new Mutator(Mutator.SeedFromEnvironment() + 7);
        var random = mutator.Random;
        var into = new List<ParsedReading>();
        int taken = 0, outside = 0;
        for (var i = 0; i < 20_000; i++)
        {
            var utc = random.Next(4) switch
            {
                0 => new DateTime(random.NextInt64(DateTime.MinValue.Ticks, DateTime.MaxValue.Ticks), DateTimeKind.Utc),
                1 => ReceivedAt.UtcDateTime.AddSeconds(random.Next(-400, 400)),
                2 => ReceivedAt.UtcDateTime.AddDays(-30).AddSeconds(random.Next(-400, 400)),
                _ => random.Next(2) == 0 ? DateTime.MaxValue.AddSeconds(-random.Next(0, 200_000)) : DateTime.MinValue.AddSeconds(random.Next(0, 200_000)),
            };
            var offset = TimeSpan.FromMinutes(random.Next(-14 * 60, 14 * 60 + 1));
            var local = new DateTime(Math.Clamp(utc.Ticks + offset.Ticks, DateTime.MinValue.Ticks, DateTime.MaxValue.Ticks));
            var text = local.ToString("yyyy-MM-ddTHH:mm:ss", System.Globalization.CultureInfo.InvariantCulture)
                + (offset == TimeSpan.Zero && random.Next(2) == 0 ? "Z" : (offset < TimeSpan.Zero ? "-" : "+") + offset.ToString(@"hh\:mm", System.Globalization.CultureInfo.InvariantCulture));
            var input = Encoding.UTF8.GetBytes($$"""{"order":"T","step":"s","seq":{{i}},"good":1,"ts":"{{text}}"}""");
            into.Clear();
            Refusal? refusal;
            try
            {
                refusal = ReadingParser.ParseCounts(new ReadOnlySequence<byte>(input), "T1", ReceivedAt, into);
            }
            catch (Exception e)
            {
                throw Failure(mutator, i, input, $"threw {e.GetType().Name}: {e.Message}");
            }

            using var document = JsonDocument.Parse(input);
            var parses = document.RootElement.GetProperty("ts").TryGetDateTimeOffset(out var ts);
            var expected = !parses ? RejectReasons.InvalidField
                : TimestampWindow.Default.Problem(ts, ReceivedAt) is null ? null
                : RejectReasons.TsOutOfRange;
            if (refusal?.Reason != expected)
            {
                throw Failure(mutator, i, input, $"answered {refusal?.Reason ?? "taken"}, expected {expected ?? "taken"}");
            }

            taken += expected is null ? 1 : 0;
            outside += expected == RejectReasons.TsOutOfRange ? 1 : 0;
        }

        output.WriteLine($"seed {mutator.Seed}: 20000 reading times, {taken} taken, {outside} out of range");
        Assert.True(taken > 2_000 && outside > 5_000, $"{taken} taken, {outside} out of range");
    }

    private static (int, int) RunCounts(Mutator mutator)
    {
        int taken = 0, refused = 0;
        var into = new List<ParsedReading>();
        var sentinel = new ParsedReading("sentinel", new Reading("T0", "s", 0, 0, 0, 0, ReceivedAt));
        for (var i = 0; i < CountInputs; i++)
        {
            var input = Input(mutator, CountSeeds);
            into.Clear();
            into.Add(sentinel);
            Refusal? refusal;
            try
            {
                refusal = ReadingParser.ParseCounts(new ReadOnlySequence<byte>(input), "T1", ReceivedAt, into);
            }
            catch (Exception e)
            {
                throw Failure(mutator, i, input, $"threw {e.GetType().Name}: {e.Message}");
            }

            if (refusal is not null)
            {
                refused++;
                Check(refusal, mutator, i, input);
                if (into.Count != 1 || into[0] != sentinel)
                {
                    throw Failure(mutator, i, input, $"refused ({refusal.Reason}) but left {into.Count - 1} readings behind");
                }

                continue;
            }

            taken++;
            var readings = into.Skip(1).ToList();
            if (readings.FirstOrDefault(r => TimestampWindow.Default.Problem(r.Reading.Ts, ReceivedAt) is not null) is { Order: not null } outside)
            {
                throw Failure(mutator, i, input, $"taken with ts {outside.Reading.Ts:O}, outside the window around {ReceivedAt:O}");
            }

            if (Expected(input) is not { } expected)
            {
                throw Failure(mutator, i, input, "taken, but it is not one reading object or an array of them");
            }

            if (!expected.SequenceEqual(readings))
            {
                throw Failure(mutator, i, input, $"taken as [{string.Join("; ", readings)}], expected [{string.Join("; ", expected)}]");
            }
        }

        return (taken, refused);
    }

    private static (int, int) RunStatuses(Mutator mutator)
    {
        int taken = 0, refused = 0;
        for (var i = 0; i < StatusInputs; i++)
        {
            var input = Input(mutator, StatusSeeds);
            Refusal? refusal;
            TerminalStatus? status;
            try
            {
                refusal = ReadingParser.ParseStatus(new ReadOnlySequence<byte>(input), "T1", ReceivedAt, out status);
            }
            catch (Exception e)
            {
                throw Failure(mutator, i, input, $"threw {e.GetType().Name}: {e.Message}");
            }

            if (refusal is not null)
            {
                refused++;
                Check(refusal, mutator, i, input);
                if (status is not null)
                {
                    throw Failure(mutator, i, input, "refused but a status came out");
                }

                continue;
            }

            taken++;
            if (TimestampWindow.Default.Problem(status!.Ts, ReceivedAt) is { } outside)
            {
                throw Failure(mutator, i, input, $"taken, but {outside}");
            }

            var expected = ExpectedStatus(input);
            if (expected != status)
            {
                throw Failure(mutator, i, input, $"taken as {status}, expected {expected?.ToString() ?? "a refusal"}");
            }
        }

        return (taken, refused);
    }

    private static void Check(Refusal refusal, Mutator mutator, int index, byte[] input)
    {
        if (!RejectReasons.All.Contains(refusal.Reason) || string.IsNullOrWhiteSpace(refusal.Detail))
        {
            throw Failure(mutator, index, input, $"refused without a contract reason: '{refusal.Reason}', '{refusal.Detail}'");
        }
    }

    /// <summary>The readings an independent reading of the JSON gives (last duplicate property wins), or null.</summary>
    private static List<ParsedReading>? Expected(byte[] input)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(input, new JsonDocumentOptions { MaxDepth = 64 });
        }
        catch (JsonException)
        {
            return null;
        }

        using (document)
        {
            var root = document.RootElement;
            var objects = root.ValueKind == JsonValueKind.Array ? root.EnumerateArray().ToList() : [root];
            var readings = new List<ParsedReading>();
            foreach (var item in objects)
            {
                if (item.ValueKind != JsonValueKind.Object)
                {
                    return null;
                }

                var last = item.EnumerateObject().GroupBy(p => p.Name, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Last().Value, StringComparer.Ordinal);
                var order = last["order"].GetString()!;
                var step = last["step"].GetString()!;
                if (!Ids.IsValid(order) || !Ids.IsValid(step))
                {
                    return null;
                }

                var ts = last.TryGetValue("ts", out var t) && t.ValueKind == JsonValueKind.String ? t.GetDateTimeOffset() : ReceivedAt;
                readings.Add(new ParsedReading(order, new Reading(
                    "T1", step,
                    last.TryGetValue("run", out var run) ? run.GetInt32() : 0,
                    last["seq"].GetInt64(),
                    last["good"].GetInt64(),
                    last.TryGetValue("scrap", out var scrap) ? scrap.GetInt64() : 0,
                    ts)));
            }

            return readings;
        }
    }

    private static TerminalStatus? ExpectedStatus(byte[] input)
    {
        try
        {
            using var document = JsonDocument.Parse(input);
            var last = document.RootElement.EnumerateObject().GroupBy(p => p.Name, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Last().Value, StringComparer.Ordinal);
            var ts = last.TryGetValue("ts", out var t) && t.ValueKind == JsonValueKind.String ? t.GetDateTimeOffset() : ReceivedAt;
            return new TerminalStatus(
                "T1",
                last["state"].GetString()!,
                last.TryGetValue("seq", out var seq) ? seq.GetInt64() : null,
                last.TryGetValue("fault", out var fault) && fault.ValueKind == JsonValueKind.String ? fault.GetString() : null,
                ts);
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or KeyNotFoundException or FormatException)
        {
            return null;
        }
    }

    private static Exception Failure(Mutator mutator, int index, byte[] input, string what) => new Xunit.Sdk.XunitException(
        $"seed {mutator.Seed}, input {index}: {what}\n  input (base64): {Convert.ToBase64String(input)}\n  input (text): {Encoding.UTF8.GetString(input)}");
}
