namespace IndustryBrain.Silo.Security;

/// <summary>The contract's Auth:* keys, and how long a verified secret is trusted before it is checked again.</summary>
public sealed class AuthOptions
{
    /// <summary>The administrator's API key. Empty: one is generated at first start, printed once and stored hashed.</summary>
    public string AdminKey { get; set; } = "";

    /// <summary>
    /// Seconds a verified API key or terminal credential is trusted without asking the registry again. A key
    /// revoked on another silo stops working within this time; on the silo that revoked it, at once.
    /// </summary>
    public int CacheSeconds { get; set; } = 5;

    /// <summary>
    /// Wrong secrets per second one key id, terminal username or client address may present, sustained, before
    /// further ones are refused by rate (HTTP 429, MQTT quota exceeded) without being hashed; 0 turns it off.
    /// HTTP and MQTT count separately.
    /// </summary>
    public double FailuresPerSecond { get; set; } = 10;

    /// <summary>Wrong secrets one key id, username or address may present at once above that rate.</summary>
    public int FailureBurst { get; set; } = 50;
}

/// <summary>The Http:* limits: request size, connections and request rates.</summary>
public sealed class HttpLimitOptions
{
    /// <summary>Largest request body Kestrel reads (413 beyond it).</summary>
    public long MaxRequestBodyBytes { get; set; } = 1024 * 1024;

    /// <summary>Open HTTP connections at most (server-sent event streams count).</summary>
    public long MaxConnections { get; set; } = 10_000;

    /// <summary>Requests per second to /api per API key, sustained; 0 turns the limit off.</summary>
    public int RequestsPerSecond { get; set; } = 500;

    /// <summary>Requests one API key may make at once above the sustained rate.</summary>
    public int RequestBurst { get; set; } = 2_000;

    /// <summary>Requests per second to /api from one client address without a valid key; 0 turns the limit off.</summary>
    public int AnonymousRequestsPerSecond { get; set; } = 20;

    /// <summary>Requests without a valid key one address may make at once above that rate.</summary>
    public int AnonymousRequestBurst { get; set; } = 100;
}
