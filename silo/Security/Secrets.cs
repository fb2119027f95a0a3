using System.Diagnostics.CodeAnalysis;
using System.Security.Cryptography;

namespace IndustryBrain.Silo.Security;

/// <summary>
/// The secrets the brain issues. API keys read <c>ib_{keyId}_{secret}</c>, so the key id is found without
/// scanning the registry; terminal passwords are a bare secret. Both use lowercase base32 (a-z, 2-7):
/// nothing a shell, a URL or a terminal's configuration file would mangle.
/// </summary>
public static class Secrets
{
    public const string KeyPrefix = "ib_";
    public const int KeyIdLength = 12;
    public const int KeySecretLength = 52;
    public const int PasswordLength = 32;
    private const string Alphabet = "abcdefghijklmnopqrstuvwxyz234567";

    public static string NewKeyId() => Random(KeyIdLength);

    public static string NewApiKey(string keyId) => string.Concat(KeyPrefix, keyId, "_", Random(KeySecretLength));

    public static string NewPassword() => Random(PasswordLength);

    /// <summary>The key id of a key of the form ib_{keyId}_{secret}; false for anything else.</summary>
    public static bool TryKeyId(string key, [NotNullWhen(true)] out string? keyId)
    {
        keyId = null;
        if (key.Length > 200 || !key.StartsWith(KeyPrefix, StringComparison.Ordinal))
        {
            return false;
        }

        var end = key.IndexOf('_', KeyPrefix.Length);
        if (end <= KeyPrefix.Length || end == key.Length - 1)
        {
            return false;
        }

        var id = key.AsSpan(KeyPrefix.Length, end - KeyPrefix.Length);
        foreach (var c in id)
        {
            if (!char.IsAsciiLetterOrDigit(c))
            {
                return false;
            }
        }

        keyId = id.ToString();
        return true;
    }

    private static string Random(int length) => RandomNumberGenerator.GetString(Alphabet, length);
}
