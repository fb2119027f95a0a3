using System.Threading.Channels;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Options;

namespace IndustryBrain.Silo.Storage;

/// <summary>
/// The embedded default's local database: one SQLite file in WAL mode. Reads run on pooled
/// connections; writes go through one writer that commits whatever is queued in a single
/// transaction, so thousands of grains saving at once cost a handful of commits.
/// </summary>
public sealed class SqliteStore : IAsyncDisposable
{
    private readonly string _connectionString;
    private readonly Channel<IPendingWrite> _writes =
        Channel.CreateUnbounded<IPendingWrite>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Task _writer;

    public SqliteStore(IOptions<StorageOptions> options)
    {
        var folder = System.IO.Path.GetFullPath(options.Value.Path);
        Directory.CreateDirectory(folder);
        DatabasePath = System.IO.Path.Combine(folder, "industry-brain.db");
        _connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = DatabasePath,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Pooling = true,
        }.ToString();

        using (var connection = Open())
        {
            Execute(connection, """
                PRAGMA journal_mode = WAL;
                CREATE TABLE IF NOT EXISTS grain_state (
                    name  TEXT NOT NULL,
                    id    TEXT NOT NULL,
                    etag  TEXT NOT NULL,
                    state BLOB NOT NULL,
                    PRIMARY KEY (name, id)) WITHOUT ROWID;
                CREATE TABLE IF NOT EXISTS setting (
                    key   TEXT NOT NULL PRIMARY KEY,
                    value TEXT NOT NULL);
                CREATE TABLE IF NOT EXISTS reminder (
                    grain_id   TEXT NOT NULL,
                    name       TEXT NOT NULL,
                    grain_hash INTEGER NOT NULL,
                    start_at   TEXT NOT NULL,
                    period_ms  INTEGER NOT NULL,
                    etag       TEXT NOT NULL,
                    PRIMARY KEY (grain_id, name)) WITHOUT ROWID;
                """);
        }

        _writer = Task.Run(WriteLoop);
    }

    public string DatabasePath { get; }

    public SqliteConnection Open()
    {
        var connection = new SqliteConnection(_connectionString);
        connection.Open();
        Execute(connection, "PRAGMA synchronous = NORMAL; PRAGMA busy_timeout = 10000;");
        return connection;
    }

    /// <summary>
    /// Queues a write; it runs inside the writer's next transaction, in a savepoint of its own, and its
    /// task completes only once that transaction is committed. A write that throws rolls back alone.
    /// </summary>
    public Task<T> Write<T>(Func<SqliteConnection, SqliteTransaction, T> write)
    {
        var pending = new PendingWrite<T>(write);
        if (!_writes.Writer.TryWrite(pending))
        {
            pending.Fail(new ObjectDisposedException(nameof(SqliteStore)));
        }

        return pending.Task;
    }

    public async Task<string?> GetSetting(string key)
    {
        await using var connection = Open();
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT value FROM setting WHERE key = $key";
        command.Parameters.AddWithValue("$key", key);
        return await command.ExecuteScalarAsync() as string;
    }

    public Task PutSetting(string key, string value) => Write((connection, transaction) =>
    {
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = "INSERT INTO setting (key, value) VALUES ($key, $value) ON CONFLICT (key) DO UPDATE SET value = excluded.value";
        command.Parameters.AddWithValue("$key", key);
        command.Parameters.AddWithValue("$value", value);
        return command.ExecuteNonQuery();
    });

    private async Task WriteLoop()
    {
        using var connection = Open();
        var reader = _writes.Reader;
        var batch = new List<IPendingWrite>();
        while (await reader.WaitToReadAsync())
        {
            batch.Clear();
            while (batch.Count < 5_000 && reader.TryRead(out var write))
            {
                batch.Add(write);
            }

            try
            {
                using var transaction = connection.BeginTransaction();
                foreach (var write in batch)
                {
                    Execute(connection, "SAVEPOINT one", transaction);
                    Execute(connection, write.Run(connection, transaction) ? "RELEASE one" : "ROLLBACK TO one; RELEASE one", transaction);
                }

                transaction.Commit();
                batch.ForEach(write => write.Complete());
            }
            catch (Exception e)
            {
                batch.ForEach(write => write.Fail(e));
            }
        }
    }

    private interface IPendingWrite
    {
        bool Run(SqliteConnection connection, SqliteTransaction transaction);

        void Complete();

        void Fail(Exception e);
    }

    private sealed class PendingWrite<T>(Func<SqliteConnection, SqliteTransaction, T> write) : IPendingWrite
    {
        private readonly TaskCompletionSource<T> _done = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private T? _result;
        private Exception? _error;

        public Task<T> Task => _done.Task;

        public bool Run(SqliteConnection connection, SqliteTransaction transaction)
        {
            try
            {
                _result = write(connection, transaction);
                return true;
            }
            catch (Exception e)
            {
                _error = e;
                return false;
            }
        }

        public void Complete()
        {
            if (_error is null)
            {
                _done.TrySetResult(_result!);
            }
            else
            {
                _done.TrySetException(_error);
            }
        }

        public void Fail(Exception e) => _done.TrySetException(_error ?? e);
    }

    private static void Execute(SqliteConnection connection, string sql, SqliteTransaction? transaction = null)
    {
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    public async ValueTask DisposeAsync()
    {
        _writes.Writer.TryComplete();
        await _writer;
    }
}
