namespace IndustryBrain.Contracts;

/// <summary>The roles of HTTP API keys (docs/contract.md, "Security").</summary>
public static class Roles
{
    /// <summary>Everything, including keys, credentials and registration.</summary>
    public const string Admin = "admin";

    /// <summary>A district official: reads everything, writes nothing.</summary>
    public const string Official = "official";

    /// <summary>One enterprise: its own profile, orders, pledges and terminal credentials.</summary>
    public const string Enterprise = "enterprise";

    public static bool IsKnown(string? role) => role is Admin or Official or Enterprise;
}

/// <summary>
/// An API key as the registry keeps it: never the key itself, only its salted hash. The bootstrap
/// administrator's key has the id <c>admin</c>; <see cref="Configured"/> says it came from Auth:AdminKey.
/// </summary>
[GenerateSerializer, Immutable, Alias("ib.ApiKeyRecord")]
public sealed record ApiKeyRecord(
    string KeyId,
    string Role,
    string? Enterprise,
    string Hash,
    DateTimeOffset CreatedAt,
    DateTimeOffset? RevokedAt,
    bool Configured = false)
{
    public bool Active => RevokedAt is null;
}

/// <summary>What the API shows of a key: everything but its hash.</summary>
[GenerateSerializer, Immutable, Alias("ib.ApiKeySummary")]
public sealed record ApiKeySummary(string KeyId, string Role, string? Enterprise, DateTimeOffset CreatedAt, DateTimeOffset? RevokedAt);

/// <summary>What revoking a key did.</summary>
public enum KeyRevocation
{
    Revoked,
    AlreadyRevoked,
    Unknown,
    LastAdmin,

    /// <summary>The key set by Auth:AdminKey: it changes with the configuration, not through the API.</summary>
    Configured,
}

/// <summary>A terminal's MQTT credential as the registry keeps it: the salted hash of its password.</summary>
[GenerateSerializer, Immutable, Alias("ib.TerminalCredential")]
public sealed record TerminalCredential(string Terminal, string Hash, DateTimeOffset IssuedAt);
