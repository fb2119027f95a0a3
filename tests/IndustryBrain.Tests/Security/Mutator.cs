using System.Globalization;
using System.Text;

namespace IndustryBrain.Tests.Security;

/// <summary>
/// Seeded mutations of well-formed inputs, and seeded random inputs, for the fuzz tests: the same seed
/// gives the same inputs, so any failure can be replayed (set IB_FUZZ_SEED).
/// </summary>
public sealed class Mutator(int seed)
{
    public const int DefaultSeed = 20_261_122;

    private static readonly string[] Tokens =
    [
        "{", "}", "[", "]", "\"", ",", ":", "null", "true", "false", "-1", "0", "1e309", "-0", "1.5", "NaN",
        "9223372036854775807", "9223372036854775808", "1000000001", "\"\"", "\"\\u0000\"", "\"\\ud800\"", "\"\\/\"",
        "\"order\"", "\"step\"", "\"seq\"", "\"good\"", "\"scrap\"", "\"run\"", "\"ts\"", "\"state\"", "\"fault\"",
        "\"2026-11-22T08:15:30Z\"", "\"not a date\"", "\"../..\"", "\"a/b\"", "\"qiaofeng\"", "\"T1\"", "\"粗磨\"",
        "\"" + new string('x', 65) + "\"", "{\"a\":", "[[[[[[[[[[", "]]]]]]]]]]", " ", "\n", "\t", "\\",
    ];

    private static readonly string[] Strings =
    [
        "", " ", "x", "QF-2611-0042", "a b", "a/b", "a+b", "#", "..", "粗磨", "\u0000", "\u202e", "%2F", "a\"b",
        new string('y', 64), new string('y', 65), new string('z', 300), "ib_admin_x", "null",
    ];

    private static readonly string[] Numbers =
    [
        "0", "-1", "1", "999999999", "1000000000", "1000000001", "2147483647", "2147483648", "9223372036854775807",
        "9223372036854775808", "-9223372036854775809", "1.5", "1e3", "1E+2", "-0", "0.0", "1e309", "00", "0x10",
    ];

    public Random Random { get; } = new(seed);

    public int Seed => seed;

    /// <summary>The seed from IB_FUZZ_SEED, or the default one.</summary>
    public static int SeedFromEnvironment() =>
        int.TryParse(Environment.GetEnvironmentVariable("IB_FUZZ_SEED"), NumberStyles.Integer, CultureInfo.InvariantCulture, out var seed)
            ? seed
            : DefaultSeed;

    public T Pick<T>(IReadOnlyList<T> items) => items[Random.Next(items.Count)];

    public bool Chance(double p) => Random.NextDouble() < p;

    /// <summary>One to four mutations of the text: bytes flipped, inserted, deleted, repeated, tokens and values swapped.</summary>
    public byte[] Mutate(string text) => Mutate(Encoding.UTF8.GetBytes(text));

    public byte[] Mutate(byte[] input)
    {
        var bytes = new List<byte>(input);
        var count = 1 + Random.Next(4);
        for (var i = 0; i < count; i++)
        {
            MutateOnce(bytes);
        }

        return [.. bytes];
    }

    private void MutateOnce(List<byte> bytes)
    {
        var at = bytes.Count == 0 ? 0 : Random.Next(bytes.Count);
        switch (Random.Next(11))
        {
            case 0 when bytes.Count > 0:
                bytes[at] ^= (byte)(1 << Random.Next(8));
                break;
            case 1:
                bytes.Insert(at, (byte)Random.Next(256));
                break;
            case 2 when bytes.Count > 0:
                bytes.RemoveRange(at, Math.Min(bytes.Count - at, 1 + Random.Next(8)));
                break;
            case 3 when bytes.Count > 0:
                var length = Math.Min(bytes.Count - at, 1 + Random.Next(16));
                bytes.InsertRange(at, bytes.GetRange(at, length));
                break;
            case 4:
                bytes.InsertRange(at, Encoding.UTF8.GetBytes(Pick(Tokens)));
                break;
            case 5 when bytes.Count > 0:
                bytes.RemoveRange(at, bytes.Count - at);
                break;
            case 6:
                ReplaceValue(bytes, '"', Pick(Strings));
                break;
            case 7:
                ReplaceNumber(bytes, Pick(Numbers));
                break;
            case 8 when bytes.Count > 0:
                bytes[at] = (byte)Random.Next(256);
                break;
            case 9:
                // An ASCII letter's case flipped: property names and literals.
                if (bytes.Count > 0 && char.IsAsciiLetter((char)bytes[at]))
                {
                    bytes[at] ^= 0x20;
                }

                break;
            default:
                bytes.InsertRange(at, Encoding.UTF8.GetBytes(Pick(Tokens) + Pick(Tokens)));
                break;
        }
    }

    /// <summary>Replaces the content of a random string literal.</summary>
    private void ReplaceValue(List<byte> bytes, char quote, string value)
    {
        var text = Encoding.UTF8.GetString([.. bytes]);
        var quotes = Enumerable.Range(0, text.Length).Where(i => text[i] == quote).ToArray();
        if (quotes.Length < 2)
        {
            return;
        }

        var first = Random.Next(quotes.Length - 1);
        var escaped = value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal);
        text = string.Concat(text.AsSpan(0, quotes[first] + 1), escaped, text.AsSpan(quotes[first + 1]));
        bytes.Clear();
        bytes.AddRange(Encoding.UTF8.GetBytes(text));
    }

    /// <summary>Replaces a random run of digits.</summary>
    private void ReplaceNumber(List<byte> bytes, string number)
    {
        var digits = Enumerable.Range(0, bytes.Count).Where(i => bytes[i] is >= (byte)'0' and <= (byte)'9').ToArray();
        if (digits.Length == 0)
        {
            return;
        }

        var start = Pick(digits);
        while (start > 0 && bytes[start - 1] is >= (byte)'0' and <= (byte)'9' or (byte)'-')
        {
            start--;
        }

        var end = start;
        while (end < bytes.Count && bytes[end] is >= (byte)'0' and <= (byte)'9' or (byte)'.' or (byte)'e' or (byte)'-')
        {
            end++;
        }

        bytes.RemoveRange(start, end - start);
        bytes.InsertRange(start, Encoding.UTF8.GetBytes(number));
    }

    /// <summary>Random bytes, random tokens, or a deep nest: the inputs no terminal would send.</summary>
    public byte[] Noise()
    {
        switch (Chance(0.05) ? 3 : Random.Next(3))
        {
            case 0:
                var bytes = new byte[Random.Next(300)];
                Random.NextBytes(bytes);
                return bytes;
            case 1:
                var soup = new StringBuilder();
                for (var i = Random.Next(40); i > 0; i--)
                {
                    soup.Append(Pick(Tokens));
                }

                return Encoding.UTF8.GetBytes(soup.ToString());
            case 2:
                var depth = 1 + Random.Next(200);
                return Encoding.UTF8.GetBytes(new string('[', depth) + "{}" + new string(']', depth));
            default:
                var many = 999 + Random.Next(3);
                return Encoding.UTF8.GetBytes("[" + string.Join(',', Enumerable.Repeat("""{"order":"o","step":"s","seq":1,"good":1}""", many)) + "]");
        }
    }

    /// <summary>An id at or past the edge of the contract's 1 to 64 characters of [A-Za-z0-9._-], or one a URL bends.</summary>
    public string OddId() => Pick(new[] { "", " ", "a b", "a/b", "a%2Fb", "..", "粗磨", new string('k', 65), "a?b", "a#b", "a\\b", "\u0000" });
}
