namespace IndustryBrain.Domain;

/// <summary>The contract's identifiers: 1 to 64 characters of [A-Za-z0-9._-].</summary>
public static class Ids
{
    public const int MaxLength = 64;

    public static bool IsValid(ReadOnlySpan<char> value)
    {
        if (value.Length is 0 or > MaxLength)
        {
            return false;
        }

        foreach (var c in value)
        {
            if (!IsIdChar(c))
            {
                return false;
            }
        }

        return true;
    }

    public static bool IsValid(ReadOnlySpan<byte> utf8)
    {
        if (utf8.Length is 0 or > MaxLength)
        {
            return false;
        }

        foreach (var b in utf8)
        {
            if (!IsIdChar((char)b))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Null when valid; otherwise a sentence saying why, naming the field.</summary>
    public static string? Problem(string? value, string field)
    {
        if (string.IsNullOrEmpty(value))
        {
            return $"{field} is missing";
        }

        if (value.Length > MaxLength)
        {
            return $"{field} is longer than {MaxLength} characters";
        }

        return IsValid(value) ? null : $"{field} '{Printable(value)}' has characters outside [A-Za-z0-9._-]";
    }

    private static bool IsIdChar(char c) =>
        c is (>= 'a' and <= 'z') or (>= 'A' and <= 'Z') or (>= '0' and <= '9') or '.' or '_' or '-';

    private static string Printable(string value) => value.Length <= 80 ? value : value[..80] + "...";
}
