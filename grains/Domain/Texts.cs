using System.Globalization;

namespace IndustryBrain.Domain;

/// <summary>
/// Free text the brain keeps and shows (names, products, materials): no control characters (NUL, escape
/// sequences, line breaks), no Unicode line or paragraph separators, no bidirectional overrides (which make a
/// name read differently from what it is) and no lone surrogates. Anything else of Unicode is welcome.
/// </summary>
public static class Texts
{
    /// <summary>Null when <paramref name="value"/> (null counts as fine) holds none of those characters; otherwise a sentence naming the field.</summary>
    public static string? Problem(string? value, string field)
    {
        if (value is null)
        {
            return null;
        }

        for (var i = 0; i < value.Length; i++)
        {
            var c = value[i];
            if (char.IsHighSurrogate(c) && i + 1 < value.Length && char.IsLowSurrogate(value[i + 1]))
            {
                i++;
                continue;
            }

            if (IsRefused(c))
            {
                return string.Create(CultureInfo.InvariantCulture, $"{field} has a control or formatting character (U+{(int)c:X4}) at position {i}");
            }
        }

        return null;
    }

    /// <summary>The first problem among several (field, value) pairs, or null.</summary>
    public static string? Problem(params (string? Value, string Field)[] texts)
    {
        foreach (var (value, field) in texts)
        {
            if (Problem(value, field) is { } problem)
            {
                return problem;
            }
        }

        return null;
    }

    private static bool IsRefused(char c) =>
        char.IsControl(c)
        || char.IsSurrogate(c) // a lone one: a pair was skipped above
        || c is '\u2028' or '\u2029' // line and paragraph separators
        || c is >= '\u202A' and <= '\u202E' // bidirectional embeddings and overrides
        || c is >= '\u2066' and <= '\u2069' // bidirectional isolates
        || c is '\u200E' or '\u200F' or '\u061C'; // bidirectional marks
}
