using System.Globalization;
using Microsoft.Data.Sqlite;
using Orleans.Runtime;
using Orleans.Storage;

namespace IndustryBrain.Silo.Storage;

/// <summary>
/// Orleans grain storage on the embedded SQLite file: one row per (state name, grain), the state as
/// System.Text.Json, and an ETag checked on every write so two activations can never overwrite each other.
/// </summary>
public sealed class SqliteGrainStorage(string name, SqliteStore store, IGrainStorageSerializer serializer) : IGrainStorage
{
    private static long _etags = DateTime.UtcNow.Ticks;

    public async Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        await using var connection = store.Open();
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT etag, state FROM grain_state WHERE name = $name AND id = $id";
        command.Parameters.AddWithValue("$name", Name(stateName));
        command.Parameters.AddWithValue("$id", grainId.ToString());
        await using var reader = await command.ExecuteReaderAsync();
        if (await reader.ReadAsync())
        {
            grainState.ETag = reader.GetString(0);
            grainState.State = serializer.Deserialize<T>(new BinaryData((byte[])reader.GetValue(1)));
            grainState.RecordExists = true;
        }
        else
        {
            grainState.ETag = null;
            grainState.State = Activator.CreateInstance<T>();
            grainState.RecordExists = false;
        }
    }

    public async Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        var data = serializer.Serialize(grainState.State).ToArray();
        var expected = grainState.ETag;
        var etag = NextETag();
        var key = Name(stateName);
        var id = grainId.ToString();
        await store.Write((connection, transaction) =>
        {
            using var command = connection.CreateCommand();
            command.Transaction = transaction;
            command.CommandText = expected is null
                ? "INSERT INTO grain_state (name, id, etag, state) VALUES ($name, $id, $etag, $state) ON CONFLICT DO NOTHING"
                : "UPDATE grain_state SET etag = $etag, state = $state WHERE name = $name AND id = $id AND etag = $expected";
            command.Parameters.AddWithValue("$name", key);
            command.Parameters.AddWithValue("$id", id);
            command.Parameters.AddWithValue("$etag", etag);
            command.Parameters.AddWithValue("$state", data);
            if (expected is not null)
            {
                command.Parameters.AddWithValue("$expected", expected);
            }

            return command.ExecuteNonQuery() == 1 ? 0 : throw Inconsistent(expected, id);
        });
        grainState.ETag = etag;
        grainState.RecordExists = true;
    }

    public async Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        var expected = grainState.ETag;
        var key = Name(stateName);
        var id = grainId.ToString();
        if (expected is not null)
        {
            await store.Write((connection, transaction) =>
            {
                using var command = connection.CreateCommand();
                command.Transaction = transaction;
                command.CommandText = "DELETE FROM grain_state WHERE name = $name AND id = $id AND etag = $expected";
                command.Parameters.AddWithValue("$name", key);
                command.Parameters.AddWithValue("$id", id);
                command.Parameters.AddWithValue("$expected", expected);
                return command.ExecuteNonQuery() == 1 ? 0 : throw Inconsistent(expected, id);
            });
        }

        grainState.ETag = null;
        grainState.RecordExists = false;
        grainState.State = Activator.CreateInstance<T>();
    }

    private string Name(string stateName) => string.Concat(name, ":", stateName);

    private static string NextETag() => Interlocked.Increment(ref _etags).ToString(CultureInfo.InvariantCulture);

    private static InconsistentStateException Inconsistent(string? expected, string id) =>
        new($"the stored state of {id} changed since it was read", "(newer)", expected ?? "(none)");
}
