namespace IndustryBrain.Silo.Grains;

public static class StorageNames
{
    /// <summary>The grain storage every grain of the brain uses: SQLite embedded, Redis in a cluster.</summary>
    public const string Store = "store";
}
