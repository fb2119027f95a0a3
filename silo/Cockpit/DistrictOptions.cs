namespace IndustryBrain.Silo.Cockpit;

/// <summary>The contract's District:* keys.</summary>
public sealed class DistrictOptions
{
    public string TimeZone { get; set; } = "Asia/Shanghai";

    /// <summary>A JSON chain map file; empty: the default hardware chain shipped with the silo.</summary>
    public string ChainMap { get; set; } = "";
}
