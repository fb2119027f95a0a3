using System.Buffers;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace IndustryBrain.Silo.Api;

/// <summary>A number in a request body that the brain would have to round, or that is out of range: refused, not rounded.</summary>
public sealed class InexactNumberException(string message) : JsonException(message);

/// <summary>
/// Reads decimals exactly or not at all. System.Text.Json rounds a number with more digits than a decimal
/// holds (1.0000000000000000000000000000001 becomes 1) and reads 1e-40 as 0; here such a number is refused
/// with <see cref="InexactNumberException"/>, as is one out of the decimal's range. Writing is unchanged.
/// </summary>
public sealed class ExactDecimalConverter : JsonConverter<decimal>
{
    /// <summary>Significant digits and decimal places a decimal always keeps exactly.</summary>
    public const int MaxDigits = 28;

    public override decimal Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType != JsonTokenType.Number)
        {
            throw new JsonException("a number is expected");
        }

        var raw = reader.HasValueSequence ? reader.ValueSequence.ToArray() : reader.ValueSpan;
        if (!reader.TryGetDecimal(out var value) || !IsExact(raw))
        {
            throw new InexactNumberException($"the number {Shown(raw)} cannot be kept exactly (at most {MaxDigits} significant digits and {MaxDigits} decimals, below 7.9e28)");
        }

        return value;
    }

    public override void Write(Utf8JsonWriter writer, decimal value, JsonSerializerOptions options) => writer.WriteNumberValue(value);

    /// <summary>
    /// True when the JSON number (already valid JSON) has at most <see cref="MaxDigits"/> significant digits,
    /// none of them below 10^-28: then a decimal holds it exactly. Never throws, whatever the exponent.
    /// </summary>
    public static bool IsExact(ReadOnlySpan<byte> number)
    {
        var i = 0;
        if (i < number.Length && number[i] == '-')
        {
            i++;
        }

        // The digits of the mantissa, without the point; the position of the last digit relative to the point.
        int first = -1, last = -1, count = 0, fraction = 0;
        var inFraction = false;
        for (; i < number.Length && number[i] is not ((byte)'e' or (byte)'E'); i++)
        {
            var c = number[i];
            if (c == '.')
            {
                inFraction = true;
                continue;
            }

            if (inFraction)
            {
                fraction++;
            }

            if (c != '0')
            {
                first = first < 0 ? count : first;
                last = count;
            }

            count++;
        }

        if (first < 0)
        {
            return true; // zero, whatever its exponent
        }

        long exponent = 0;
        if (i < number.Length)
        {
            i++;
            var negative = i < number.Length && number[i] == '-';
            if (i < number.Length && number[i] is (byte)'-' or (byte)'+')
            {
                i++;
            }

            for (; i < number.Length; i++)
            {
                exponent = Math.Min(exponent * 10 + (number[i] - '0'), 1_000_000);
            }

            exponent = negative ? -exponent : exponent;
        }

        var significant = last - first + 1;
        // The last significant digit stands for 10^(exponent - fraction + (count - 1 - last)).
        var lowest = exponent - fraction + (count - 1 - last);
        return significant <= MaxDigits && lowest >= -MaxDigits;
    }

    private static string Shown(ReadOnlySpan<byte> raw) =>
        raw.Length <= 60 ? System.Text.Encoding.UTF8.GetString(raw) : System.Text.Encoding.UTF8.GetString(raw[..60]) + "...";
}

/// <summary>How the brain reads JSON bodies: numbers only as numbers (never "30"), decimals exactly.</summary>
public static class StrictJson
{
    public static JsonSerializerOptions Harden(JsonSerializerOptions options)
    {
        options.NumberHandling = JsonNumberHandling.Strict;
        options.Converters.Add(new ExactDecimalConverter());
        return options;
    }
}
