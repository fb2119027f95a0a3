using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace IndustryBrain.Silo.Security;

/// <summary>
/// Salted hashes of keys and passwords: PBKDF2-HMAC-SHA512 with a random 12-byte salt per secret, written
/// as <c>$7$iterations$salt$hash</c> (base64). That is Mosquitto's own password-file format, so the
/// registry's terminal credentials can be handed to a Mosquitto broker without anyone knowing the passwords.
/// Every secret the brain issues is random and long (160 bits or more), which is why a modest iteration
/// count is enough: there is no dictionary to try.
/// </summary>
public static class SecretHash
{
    public const int DefaultIterations = 1_000;
    public const int SaltBytes = 12;
    public const int HashBytes = 64;
    private const string Prefix = "$7$";

    public static string Create(string secret, int iterations = DefaultIterations)
    {
        Span<byte> salt = stackalloc byte[SaltBytes];
        RandomNumberGenerator.Fill(salt);
        Span<byte> hash = stackalloc byte[HashBytes];
        Rfc2898DeriveBytes.Pbkdf2(Encoding.UTF8.GetBytes(secret), salt, hash, iterations, HashAlgorithmName.SHA512);
        return string.Create(CultureInfo.InvariantCulture, $"{Prefix}{iterations}${Convert.ToBase64String(salt)}${Convert.ToBase64String(hash)}");
    }

    /// <summary>True when <paramref name="secret"/> is the one <paramref name="stored"/> was made from; compares in constant time.</summary>
    public static bool Verify(string secret, string? stored)
    {
        if (stored is null || !stored.StartsWith(Prefix, StringComparison.Ordinal))
        {
            return false;
        }

        var parts = stored.Split('$');
        if (parts.Length != 5
            || !int.TryParse(parts[2], NumberStyles.None, CultureInfo.InvariantCulture, out var iterations)
            || iterations is < 1 or > 10_000_000)
        {
            return false;
        }

        byte[] salt, expected;
        try
        {
            salt = Convert.FromBase64String(parts[3]);
            expected = Convert.FromBase64String(parts[4]);
        }
        catch (FormatException)
        {
            return false;
        }

        if (expected.Length == 0 || secret.Length > 1024)
        {
            return false;
        }

        var actual = new byte[expected.Length];
        Rfc2898DeriveBytes.Pbkdf2(Encoding.UTF8.GetBytes(secret), salt, actual, iterations, HashAlgorithmName.SHA512);
        return CryptographicOperations.FixedTimeEquals(actual, expected);
    }
}
