namespace IndustryBrain.Silo.Codes;

/// <summary>The Codes:* keys: the identifier node (docs/codes.md).</summary>
public sealed class CodeOptions
{
    /// <summary>The node's own prefix (Handle style); enterprise prefixes are {NodePrefix}.{n}.</summary>
    public string NodePrefix { get; set; } = "88.118.5";

    /// <summary>
    /// The key of the verification codes (at least 32 characters). Empty: the node makes a random one at first
    /// start and keeps it in grain storage. Changing it turns every printed code into a forgery: set it once.
    /// </summary>
    public string MacKey { get; set; } = "";

    /// <summary>The page warns past this many scans of one code.</summary>
    public int WarnAfterScans { get; set; } = 5;

    /// <summary>Codes one request may take.</summary>
    public long MaxPerRequest { get; set; } = 10_000_000;

    /// <summary>Codes one order may have.</summary>
    public long MaxPerOrder { get; set; } = 1_000_000_000;

    /// <summary>Where printed codes point (https://trace.example.cn); empty: the address the request came to.</summary>
    public string PublicUrl { get; set; } = "";

    public CodeLimits Limits => new(MaxPerRequest, MaxPerOrder);

    /// <summary>Null when the options hold together; otherwise the first problem.</summary>
    public string? Problem()
    {
        if (IndustryBrain.Codes.PrefixNumbers.NodeProblem(NodePrefix) is { } node)
        {
            return node;
        }

        if (MacKey.Length is > 0 and < 32)
        {
            return "Codes:MacKey must be empty or at least 32 characters";
        }

        if (WarnAfterScans < 1 || MaxPerRequest < 1 || MaxPerOrder < 1)
        {
            return "Codes:WarnAfterScans, Codes:MaxPerRequest and Codes:MaxPerOrder must be positive";
        }

        return PublicUrl.Length > 0 && !(Uri.TryCreate(PublicUrl, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https")
            ? "Codes:PublicUrl must be empty or an http(s) address"
            : null;
    }
}
