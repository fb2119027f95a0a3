using IndustryBrain.Contracts;

namespace IndustryBrain;

/// <summary>
/// The district's HTTP API keys (key <see cref="Keys.District"/>): their roles and salted hashes, never
/// the keys. Every change is saved before the reply.
/// </summary>
[Alias("ib.IKeyRegistryGrain")]
public interface IKeyRegistryGrain : IGrainWithStringKey
{
    /// <summary>Adds a new key; false when its id is taken.</summary>
    [Alias("Add")]
    Task<bool> Add(ApiKeyRecord record);

    [Alias("Find")]
    Task<ApiKeyRecord?> Find(string keyId);

    [Alias("List")]
    Task<ApiKeySummary[]> List();

    [Alias("Revoke")]
    Task<KeyRevocation> Revoke(string keyId);

    /// <summary>
    /// The bootstrap administrator. A configured key (Auth:AdminKey) always replaces the stored one;
    /// a generated one is stored only when there is no active bootstrap key that was generated before.
    /// Answers true when <paramref name="record"/> was stored.
    /// </summary>
    [Alias("EnsureAdmin")]
    Task<bool> EnsureAdmin(ApiKeyRecord record);
}
