using IndustryBrain.Silo.Storage;

namespace IndustryBrain.Silo.Archive;

public static class HistoryStores
{
    /// <summary>The archive's file in the embedded default, beside the state database.</summary>
    public const string SqliteFileName = "history.db";

    /// <summary>PostgreSQL when History:ConnectionString is set, otherwise the SQLite file in Storage:Path.</summary>
    public static IHistoryStore Create(HistoryOptions history, StorageOptions storage) =>
        string.IsNullOrWhiteSpace(history.ConnectionString)
            ? new SqliteHistoryStore(Path.Combine(Path.GetFullPath(storage.Path), SqliteFileName))
            : new PostgresHistoryStore(history.ConnectionString);
}
