using IndustryBrain.Contracts;

namespace IndustryBrain.Silo.Security;

/// <summary>Who is calling the HTTP API: the key's id, its role, and for an enterprise key the enterprise.</summary>
public sealed record Caller(string KeyId, string Role, string? Enterprise)
{
    public static Caller Admin(string keyId) => new(keyId, Roles.Admin, null);

    /// <summary>How the role reads in the contract: admin, official or enterprise:{id}.</summary>
    public override string ToString() => Role == Roles.Enterprise ? $"{Role}:{Enterprise}" : Role;
}
