namespace IndustryBrain.Codes;

/// <summary>GS1 Global Trade Item Numbers: 8, 12, 13 or 14 digits whose last is a mod-10 check digit.</summary>
public static class Gtins
{
    /// <summary>The check digit of the digits before it (weights 3 and 1 from the right).</summary>
    public static int CheckDigit(ReadOnlySpan<char> body)
    {
        var sum = 0;
        for (var i = 0; i < body.Length; i++)
        {
            var digit = body[body.Length - 1 - i] - '0';
            sum += i % 2 == 0 ? digit * 3 : digit;
        }

        return (10 - (sum % 10)) % 10;
    }

    /// <summary>Null and the GTIN as 14 digits, or the reason it is not a GTIN (reason word, sentence).</summary>
    public static (string Reason, string Detail)? Problem(string? gtin, out string gtin14)
    {
        gtin14 = "";
        if (string.IsNullOrEmpty(gtin) || gtin.Length is not (8 or 12 or 13 or 14) || !gtin.All(char.IsAsciiDigit))
        {
            return ("invalid-gtin", "a GTIN has 8, 12, 13 or 14 digits");
        }

        var expected = CheckDigit(gtin.AsSpan(0, gtin.Length - 1));
        if (gtin[^1] - '0' != expected)
        {
            return ("gtin-check-digit", $"the check digit of GTIN {gtin} should be {expected}");
        }

        gtin14 = gtin.PadLeft(14, '0');
        return null;
    }
}
