namespace IndustryBrain.Silo.Grains;

/// <summary>The Rejects:* keys: how much of the reject log is kept, per enterprise.</summary>
public sealed class RejectLogOptions
{
    /// <summary>The newest rejections kept per enterprise (and on the shared shelf of unattributed ones).</summary>
    public int PerEnterprise { get; set; } = 200;

    /// <summary>Enterprises with a shelf of their own; rejections naming further ones share the unattributed shelf.</summary>
    public int MaxEnterprises { get; set; } = 5_000;

    /// <summary>The most one read of the log answers.</summary>
    public const int MaxLimit = 10_000;
}
