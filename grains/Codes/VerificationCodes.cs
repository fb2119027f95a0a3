using System.Security.Cryptography;
using System.Text;

namespace IndustryBrain.Codes;

/// <summary>
/// The short verification code the laser prints in each code's QR URL: HMAC-SHA256 of the handle under the
/// node's secret key, its first 40 bits written as 8 characters of a base32 alphabet without look-alikes
/// (no I, L, O, U). Without the key a forger cannot make a code that passes by counting serials: each guess
/// has one chance in 2^40.
/// </summary>
public sealed class VerificationCodes
{
    public const int Length = 8;
    public const int MinKeyBytes = 32;
    private const string Alphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
    private readonly byte[] _key;

    public VerificationCodes(byte[] key)
    {
        if (key.Length < MinKeyBytes)
        {
            throw new ArgumentException($"the verification key must have at least {MinKeyBytes} bytes", nameof(key));
        }

        _key = (byte[])key.Clone();
    }

    /// <summary>A new random key.</summary>
    public static byte[] NewKey() => RandomNumberGenerator.GetBytes(MinKeyBytes);

    public string For(CodeName name) => For(name.Handle);

    public string For(string handle)
    {
        Span<byte> text = stackalloc byte[Encoding.UTF8.GetMaxByteCount(handle.Length)];
        var length = Encoding.UTF8.GetBytes(handle, text);
        Span<byte> mac = stackalloc byte[HMACSHA256.HashSizeInBytes];
        HMACSHA256.HashData(_key, text[..length], mac);
        return Encode(mac[..5]);
    }

    /// <summary>Whether <paramref name="code"/> is the handle's code (case and the look-alikes O/I/L read leniently), in constant time.</summary>
    public bool Verify(CodeName name, string? code)
    {
        if (code is null || code.Length != Length)
        {
            return false;
        }

        Span<char> given = stackalloc char[Length];
        for (var i = 0; i < Length; i++)
        {
            given[i] = char.ToUpperInvariant(code[i]) switch
            {
                'O' => '0',
                'I' or 'L' => '1',
                var c => c,
            };
        }

        var expected = For(name);
        return CryptographicOperations.FixedTimeEquals(
            MemoryMarshalBytes(expected.AsSpan()), MemoryMarshalBytes(given));
    }

    private static ReadOnlySpan<byte> MemoryMarshalBytes(ReadOnlySpan<char> chars) => System.Runtime.InteropServices.MemoryMarshal.AsBytes(chars);

    private static string Encode(ReadOnlySpan<byte> forty)
    {
        ulong bits = 0;
        foreach (var b in forty)
        {
            bits = (bits << 8) | b;
        }

        return string.Create(Length, bits, static (chars, value) =>
        {
            for (var i = Length - 1; i >= 0; i--)
            {
                chars[i] = Alphabet[(int)(value & 31)];
                value >>= 5;
            }
        });
    }
}
