namespace IndustryBrain.Domain;

/// <summary>
/// The Unified Social Credit Code of GB 32100-2015: 18 characters from a 31-character alphabet
/// (digits and capitals without I, O, S, V, Z); the 18th is a check character over the first 17.
/// </summary>
public static class Uscc
{
    public const int Length = 18;
    private const string Alphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY";
    private static readonly int[] Weights = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];

    /// <summary>Null when the code is valid; otherwise the contract's reason code.</summary>
    public static string? Problem(string? code)
    {
        if (string.IsNullOrEmpty(code))
        {
            return "uscc-missing";
        }

        if (code.Length != Length)
        {
            return "uscc-length";
        }

        foreach (var c in code)
        {
            if (Alphabet.IndexOf(c) < 0)
            {
                return "uscc-character";
            }
        }

        return code[17] == CheckCharacter(code.AsSpan(0, 17)) ? null : "uscc-check-digit";
    }

    public static bool IsValid(string? code) => Problem(code) is null;

    /// <summary>The check character for the first 17 characters of a code.</summary>
    public static char CheckCharacter(ReadOnlySpan<char> first17)
    {
        if (first17.Length != 17)
        {
            throw new ArgumentException("a USCC body has 17 characters", nameof(first17));
        }

        var sum = 0;
        for (var i = 0; i < 17; i++)
        {
            var value = Alphabet.IndexOf(first17[i]);
            if (value < 0)
            {
                throw new ArgumentException($"'{first17[i]}' is not a USCC character", nameof(first17));
            }

            sum += value * Weights[i];
        }

        var check = (31 - (sum % 31)) % 31;
        return Alphabet[check];
    }
}
