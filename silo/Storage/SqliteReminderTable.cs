using System.Globalization;
using Microsoft.Data.Sqlite;
using Orleans.Runtime;

namespace IndustryBrain.Silo.Storage;

/// <summary>
/// Orleans reminders on the embedded SQLite file, so a deadline survives a restart of the embedded
/// default just as it does on Redis in a cluster.
/// </summary>
public sealed class SqliteReminderTable(SqliteStore store) : IReminderTable
{
    private static long _etags = DateTime.UtcNow.Ticks;

    public Task StartAsync(CancellationToken cancellationToken = default) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken = default) => Task.CompletedTask;

    public Task<ReminderTableData> ReadRows(GrainId grainId) =>
        Query("SELECT grain_id, name, start_at, period_ms, etag FROM reminder WHERE grain_id = $id", c => c.Parameters.AddWithValue("$id", grainId.ToString()));

    public Task<ReminderTableData> ReadRows(uint begin, uint end) => Query(
        begin < end
            ? "SELECT grain_id, name, start_at, period_ms, etag FROM reminder WHERE grain_hash > $begin AND grain_hash <= $end"
            : "SELECT grain_id, name, start_at, period_ms, etag FROM reminder WHERE grain_hash > $begin OR grain_hash <= $end",
        c =>
        {
            c.Parameters.AddWithValue("$begin", (long)begin);
            c.Parameters.AddWithValue("$end", (long)end);
        });

    public async Task<ReminderEntry?> ReadRow(GrainId grainId, string reminderName)
    {
        var rows = await Query(
            "SELECT grain_id, name, start_at, period_ms, etag FROM reminder WHERE grain_id = $id AND name = $name",
            c =>
            {
                c.Parameters.AddWithValue("$id", grainId.ToString());
                c.Parameters.AddWithValue("$name", reminderName);
            });
        return rows.Reminders.FirstOrDefault();
    }

    public Task<string?> UpsertRow(ReminderEntry entry)
    {
        var etag = Interlocked.Increment(ref _etags).ToString(CultureInfo.InvariantCulture);
        return store.Write<string?>((connection, transaction) =>
        {
            using var command = connection.CreateCommand();
            command.Transaction = transaction;
            command.CommandText = """
                INSERT INTO reminder (grain_id, name, grain_hash, start_at, period_ms, etag)
                VALUES ($id, $name, $hash, $start, $period, $etag)
                ON CONFLICT (grain_id, name) DO UPDATE SET
                    grain_hash = excluded.grain_hash, start_at = excluded.start_at,
                    period_ms = excluded.period_ms, etag = excluded.etag
                """;
            command.Parameters.AddWithValue("$id", entry.GrainId.ToString());
            command.Parameters.AddWithValue("$name", entry.ReminderName);
            command.Parameters.AddWithValue("$hash", (long)entry.GrainId.GetUniformHashCode());
            command.Parameters.AddWithValue("$start", entry.StartAt.ToUniversalTime().ToString("O", CultureInfo.InvariantCulture));
            command.Parameters.AddWithValue("$period", (long)entry.Period.TotalMilliseconds);
            command.Parameters.AddWithValue("$etag", etag);
            command.ExecuteNonQuery();
            return etag;
        });
    }

    public Task<bool> RemoveRow(GrainId grainId, string reminderName, string eTag) => store.Write((connection, transaction) =>
    {
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = "DELETE FROM reminder WHERE grain_id = $id AND name = $name AND etag = $etag";
        command.Parameters.AddWithValue("$id", grainId.ToString());
        command.Parameters.AddWithValue("$name", reminderName);
        command.Parameters.AddWithValue("$etag", eTag);
        return command.ExecuteNonQuery() == 1;
    });

    public Task TestOnlyClearTable() => store.Write((connection, transaction) =>
    {
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = "DELETE FROM reminder";
        return command.ExecuteNonQuery();
    });

    private async Task<ReminderTableData> Query(string sql, Action<SqliteCommand> bind)
    {
        await using var connection = store.Open();
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        bind(command);
        var entries = new List<ReminderEntry>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            entries.Add(new ReminderEntry
            {
                GrainId = GrainId.Parse(reader.GetString(0)),
                ReminderName = reader.GetString(1),
                StartAt = DateTime.Parse(reader.GetString(2), CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind),
                Period = TimeSpan.FromMilliseconds(reader.GetInt64(3)),
                ETag = reader.GetString(4),
            });
        }

        return new ReminderTableData(entries);
    }
}
