using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using IndustryBrain.Domain;

namespace IndustryBrain.Codes;

/// <summary>
/// One identifier of the node: <c>{enterprise prefix}/{order}.{serial}</c>, e.g. <c>88.118.5.12/QF-2611-0042.000123</c>.
/// The enterprise prefix is the node's prefix and a positive number; the order is a contract identifier; the
/// serial is a positive number written with at least <see cref="SerialDigits"/> digits.
/// </summary>
public readonly record struct CodeName(string Prefix, string Order, long Serial)
{
    public const int SerialDigits = 6;

    /// <summary>The largest serial an order can have (12 digits).</summary>
    public const long MaxSerial = 999_999_999_999;

    public string Suffix => string.Concat(Order, ".", FormatSerial(Serial));

    public string Handle => string.Concat(Prefix, "/", Suffix);

    public override string ToString() => Handle;

    public static string FormatSerial(long serial) => serial.ToString("D" + SerialDigits, CultureInfo.InvariantCulture);

    /// <summary>Reads a suffix <c>{order}.{serial}</c>; null when it reads, otherwise the reason.</summary>
    public static string? SuffixProblem(string? suffix, out string order, out long serial)
    {
        order = "";
        serial = 0;
        if (string.IsNullOrEmpty(suffix) || suffix.Length > Ids.MaxLength + 14)
        {
            return "the suffix must be {order}.{serial}";
        }

        var dot = suffix.LastIndexOf('.');
        if (dot <= 0 || dot == suffix.Length - 1)
        {
            return $"the suffix '{suffix}' must be {{order}}.{{serial}}";
        }

        var digits = suffix.AsSpan(dot + 1);
        if (digits.Length > 12 || !IsDigits(digits))
        {
            return $"the serial of '{suffix}' must be 1 to 12 digits";
        }

        serial = long.Parse(digits, NumberStyles.None, CultureInfo.InvariantCulture);
        if (serial < 1)
        {
            return "serials start at 1";
        }

        order = suffix[..dot];
        return Ids.Problem(order, "order");
    }

    /// <summary>Parses a whole handle against the node's prefix; null and the name, or the reason it does not read.</summary>
    public static string? Problem(string? prefix, string? suffix, string nodePrefix, out CodeName name)
    {
        name = default;
        if (PrefixNumbers.Problem(prefix, nodePrefix) is { } bad)
        {
            return bad;
        }

        if (SuffixProblem(suffix, out var order, out var serial) is { } badSuffix)
        {
            return badSuffix;
        }

        name = new CodeName(prefix!, order, serial);
        return null;
    }

    public static bool TryParse(string? handle, string nodePrefix, [NotNullWhen(true)] out CodeName? name)
    {
        name = null;
        var slash = handle?.IndexOf('/') ?? -1;
        if (slash <= 0 || Problem(handle![..slash], handle[(slash + 1)..], nodePrefix, out var parsed) is not null)
        {
            return false;
        }

        name = parsed;
        return true;
    }

    private static bool IsDigits(ReadOnlySpan<char> value)
    {
        foreach (var c in value)
        {
            if (!char.IsAsciiDigit(c))
            {
                return false;
            }
        }

        return value.Length > 0;
    }
}

/// <summary>Enterprise prefixes: <c>{node prefix}.{n}</c>, n from 1.</summary>
public static class PrefixNumbers
{
    public static string Of(string nodePrefix, int number) => string.Concat(nodePrefix, ".", number.ToString(CultureInfo.InvariantCulture));

    /// <summary>Null when <paramref name="prefix"/> is an enterprise prefix under the node; otherwise the reason.</summary>
    public static string? Problem(string? prefix, string nodePrefix)
    {
        if (string.IsNullOrEmpty(prefix) || prefix.Length > 64)
        {
            return "the prefix is missing";
        }

        if (!prefix.StartsWith(nodePrefix + ".", StringComparison.Ordinal))
        {
            return $"the prefix '{Shown(prefix)}' is not under this node ({nodePrefix})";
        }

        var tail = prefix.AsSpan(nodePrefix.Length + 1);
        if (tail.Length is 0 or > 9 || tail[0] == '0' || !int.TryParse(tail, NumberStyles.None, CultureInfo.InvariantCulture, out _))
        {
            return $"the prefix '{Shown(prefix)}' must be {nodePrefix}.{{n}}, n a number from 1";
        }

        return null;
    }

    /// <summary>Null when the node's own prefix is well formed (dotted numbers, as Handle prefixes are).</summary>
    public static string? NodeProblem(string? nodePrefix)
    {
        if (string.IsNullOrEmpty(nodePrefix) || nodePrefix.Length > 40)
        {
            return "Codes:NodePrefix must be dotted numbers such as 88.118.5";
        }

        foreach (var part in nodePrefix.Split('.'))
        {
            if (part.Length == 0 || !part.All(char.IsAsciiDigit))
            {
                return "Codes:NodePrefix must be dotted numbers such as 88.118.5";
            }
        }

        return null;
    }

    private static string Shown(string value) => value.Length <= 64 ? value : value[..64] + "...";
}
