namespace IndustryBrain.Silo.Storage;

/// <summary>The Storage:* keys of the embedded default.</summary>
public sealed class StorageOptions
{
    /// <summary>Folder of the embedded default's local database.</summary>
    public string Path { get; set; } = "data";
}
