using System.Globalization;
using System.Net.Sockets;
using System.Text.Json;
using IndustryBrain.Contracts;
using Npgsql;
using NpgsqlTypes;

namespace IndustryBrain.Silo.Archive;

/// <summary>
/// The archive in PostgreSQL. Readings go to <c>ib_readings</c>, partitioned by UTC day on the reading's
/// time, one row of five fixed-width columns per reading; the ids of each (enterprise, order, step,
/// terminal, run) are stored once in <c>ib_counters</c>. A batch is copied in binary into a temporary
/// staging table and moved with INSERT ... ON CONFLICT DO NOTHING, so a reading written twice (a retry,
/// an epoch's resend) is kept once. Retention drops whole day partitions. The connection string is
/// never logged or shown.
/// </summary>
public sealed class PostgresHistoryStore : IHistoryStore
{
    private const long MigrationLock = 0x1B_4A7C_0001;
    private const int MaxCachedCounters = 1_000_000;

    /// <summary>Schema versions, applied in order once each (ib_schema records which).</summary>
    private static readonly (int Version, string Sql)[] Migrations =
    [
        (1, """
            CREATE TABLE ib_counters (
                id         integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                enterprise text    NOT NULL,
                order_id   text    NOT NULL,
                step       text    NOT NULL,
                terminal   text    NOT NULL,
                run        integer NOT NULL,
                UNIQUE (enterprise, order_id, step, terminal, run));
            CREATE TABLE ib_readings (
                ts         timestamptz NOT NULL,
                seq        bigint      NOT NULL,
                counter_id integer     NOT NULL,
                good       integer     NOT NULL,
                scrap      integer     NOT NULL,
                PRIMARY KEY (counter_id, seq, ts)) PARTITION BY RANGE (ts);
            CREATE TABLE ib_terminal_status (
                enterprise text        NOT NULL,
                terminal   text        NOT NULL,
                ts         timestamptz NOT NULL,
                state      text        NOT NULL,
                seq        bigint,
                fault      text,
                PRIMARY KEY (enterprise, terminal, ts, state));
            CREATE INDEX ib_terminal_status_ts ON ib_terminal_status (ts);
            CREATE TABLE ib_output_daily (
                enterprise text        NOT NULL,
                day        date        NOT NULL,
                chain_node text,
                units      bigint      NOT NULL,
                value      numeric     NOT NULL,
                as_of      timestamptz NOT NULL,
                PRIMARY KEY (enterprise, day));
            CREATE INDEX ib_output_daily_day ON ib_output_daily (day) INCLUDE (units, value);
            CREATE INDEX ib_output_daily_node ON ib_output_daily (chain_node, day) INCLUDE (units, value);
            CREATE TABLE ib_bundles (
                bundle    text PRIMARY KEY,
                state     text NOT NULL,
                closed_at timestamptz,
                body      jsonb NOT NULL);
            """),
    ];

    private readonly NpgsqlDataSource _source;
    private readonly Dictionary<CounterKey, int> _counters = [];
    private readonly HashSet<DateOnly> _partitions = [];
    private readonly SemaphoreSlim _partitionLock = new(1, 1);

    public PostgresHistoryStore(string connectionString)
    {
        var builder = new NpgsqlConnectionStringBuilder(connectionString)
        {
            // The staging table lives as long as the pooled connection.
            NoResetOnClose = true,
        };
        if (builder.Timeout == 15)
        {
            builder.Timeout = 5; // a database that is down should answer 503 quickly, not in 15 s
        }

        _source = new NpgsqlDataSourceBuilder(builder.ConnectionString) { Name = "industry-brain-history" }.Build();
    }

    public string Backend => "postgresql";

    /// <summary>Where the archive is, without credentials: host, port and database.</summary>
    public static string Describe(string connectionString)
    {
        try
        {
            var builder = new NpgsqlConnectionStringBuilder(connectionString);
            return $"{builder.Host}:{builder.Port}/{builder.Database}";
        }
        catch (ArgumentException)
        {
            return "(a connection string that does not parse)";
        }
    }

    private readonly record struct CounterKey(string Enterprise, string Order, string Step, string Terminal, int Run);

    public async Task Migrate(CancellationToken cancellationToken)
    {
        await using var connection = await _source.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await Execute(connection, $"SELECT pg_advisory_xact_lock({MigrationLock})", cancellationToken);
        await Execute(connection, "CREATE TABLE IF NOT EXISTS ib_schema (version integer PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())", cancellationToken);
        await using var current = new NpgsqlCommand("SELECT coalesce(max(version), 0) FROM ib_schema", connection);
        var version = (int)(await current.ExecuteScalarAsync(cancellationToken))!;
        foreach (var (next, sql) in Migrations)
        {
            if (next > version)
            {
                await Execute(connection, sql, cancellationToken);
                await Execute(connection, $"INSERT INTO ib_schema (version) VALUES ({next})", cancellationToken);
            }
        }

        await transaction.CommitAsync(cancellationToken);
    }

    public static int SchemaVersion => Migrations[^1].Version;

    public async Task Write(ArchiveBatch batch, CancellationToken cancellationToken)
    {
        if (batch.Readings.Count > 0)
        {
            // DDL outside the write's transaction: creating a partition locks the parent table for a moment only.
            await EnsurePartitions(batch.Readings.Select(r => DayOf(r.Reading.Ts)), cancellationToken);
        }

        await using var connection = await _source.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        Dictionary<CounterKey, int>? resolved = null;
        if (batch.Readings.Count > 0)
        {
            resolved = await CounterIds(connection, batch.Readings, cancellationToken);
            await Execute(connection, """
                CREATE TEMP TABLE IF NOT EXISTS ib_staging (
                    ts timestamptz NOT NULL, seq bigint NOT NULL, counter_id integer NOT NULL, good integer NOT NULL, scrap integer NOT NULL)
                    ON COMMIT DELETE ROWS
                """, cancellationToken);
            await using (var copy = await connection.BeginBinaryImportAsync(
                "COPY ib_staging (ts, seq, counter_id, good, scrap) FROM STDIN (FORMAT BINARY)", cancellationToken))
            {
                foreach (var (enterprise, order, reading) in batch.Readings)
                {
                    await copy.StartRowAsync(cancellationToken);
                    await copy.WriteAsync(reading.Ts.UtcDateTime, NpgsqlDbType.TimestampTz, cancellationToken);
                    await copy.WriteAsync(reading.Seq, NpgsqlDbType.Bigint, cancellationToken);
                    await copy.WriteAsync(resolved[new CounterKey(enterprise, order, reading.Step, reading.Terminal, reading.Run)], NpgsqlDbType.Integer, cancellationToken);
                    await copy.WriteAsync(checked((int)reading.Good), NpgsqlDbType.Integer, cancellationToken);
                    await copy.WriteAsync(checked((int)reading.Scrap), NpgsqlDbType.Integer, cancellationToken);
                }

                await copy.CompleteAsync(cancellationToken);
            }

            await Execute(connection, "INSERT INTO ib_readings SELECT ts, seq, counter_id, good, scrap FROM ib_staging ON CONFLICT DO NOTHING", cancellationToken);
        }

        if (batch.Statuses.Count > 0)
        {
            await using var command = new NpgsqlCommand("""
                INSERT INTO ib_terminal_status (enterprise, terminal, ts, state, seq, fault)
                SELECT * FROM unnest($1::text[], $2::text[], $3::timestamptz[], $4::text[], $5::bigint[], $6::text[])
                ON CONFLICT DO NOTHING
                """, connection);
            command.Parameters.Add(new NpgsqlParameter { Value = batch.Statuses.Select(s => s.Enterprise).ToArray() });
            command.Parameters.Add(new NpgsqlParameter { Value = batch.Statuses.Select(s => s.Status.Terminal).ToArray() });
            command.Parameters.Add(new NpgsqlParameter { Value = batch.Statuses.Select(s => s.Status.Ts.UtcDateTime).ToArray() });
            command.Parameters.Add(new NpgsqlParameter { Value = batch.Statuses.Select(s => s.Status.State).ToArray() });
            command.Parameters.Add(new NpgsqlParameter { Value = batch.Statuses.Select(s => s.Status.Seq).ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Bigint });
            command.Parameters.Add(new NpgsqlParameter { Value = batch.Statuses.Select(s => s.Status.Fault).ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text });
            await command.ExecuteNonQueryAsync(cancellationToken);
        }

        if (batch.Days.Count > 0)
        {
            // The latest figure of each (enterprise, day) in the batch; an older one never replaces a newer one.
            var days = batch.Days.GroupBy(d => (d.Enterprise, d.Date)).Select(g => g.MaxBy(d => d.AsOf)!).ToArray();
            await using var command = new NpgsqlCommand("""
                INSERT INTO ib_output_daily (enterprise, day, chain_node, units, value, as_of)
                SELECT * FROM unnest($1::text[], $2::date[], $3::text[], $4::bigint[], $5::numeric[], $6::timestamptz[])
                ON CONFLICT (enterprise, day) DO UPDATE
                    SET chain_node = excluded.chain_node, units = excluded.units, value = excluded.value, as_of = excluded.as_of
                    WHERE ib_output_daily.as_of <= excluded.as_of
                """, connection);
            command.Parameters.Add(new NpgsqlParameter { Value = days.Select(d => d.Enterprise).ToArray() });
            command.Parameters.Add(new NpgsqlParameter { Value = days.Select(d => d.Date).ToArray() });
            command.Parameters.Add(new NpgsqlParameter { Value = days.Select(d => d.ChainNode).ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text });
            command.Parameters.Add(new NpgsqlParameter { Value = days.Select(d => d.Units).ToArray() });
            command.Parameters.Add(new NpgsqlParameter { Value = days.Select(d => d.Value).ToArray() });
            command.Parameters.Add(new NpgsqlParameter { Value = days.Select(d => d.AsOf.UtcDateTime).ToArray() });
            await command.ExecuteNonQueryAsync(cancellationToken);
        }

        foreach (var bundle in batch.Bundles)
        {
            await using var command = new NpgsqlCommand("""
                INSERT INTO ib_bundles (bundle, state, closed_at, body) VALUES ($1, $2, $3, $4)
                ON CONFLICT (bundle) DO UPDATE SET state = excluded.state, closed_at = excluded.closed_at, body = excluded.body
                """, connection);
            command.Parameters.Add(new NpgsqlParameter { Value = bundle.Bundle });
            command.Parameters.Add(new NpgsqlParameter { Value = bundle.State });
            command.Parameters.Add(new NpgsqlParameter { Value = (object?)bundle.ClosedAt?.UtcDateTime ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.TimestampTz });
            command.Parameters.Add(new NpgsqlParameter { Value = JsonSerializer.Serialize(bundle, JsonSerializerOptions.Web), NpgsqlDbType = NpgsqlDbType.Jsonb });
            await command.ExecuteNonQueryAsync(cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);

        // Only ids that were committed are remembered.
        if (resolved is not null)
        {
            if (_counters.Count + resolved.Count > MaxCachedCounters)
            {
                _counters.Clear();
            }

            foreach (var (key, id) in resolved)
            {
                _counters[key] = id;
            }
        }
    }

    private async Task<Dictionary<CounterKey, int>> CounterIds(NpgsqlConnection connection,
        List<(string Enterprise, string Order, Reading Reading)> readings, CancellationToken cancellationToken)
    {
        var resolved = new Dictionary<CounterKey, int>();
        var missing = new HashSet<CounterKey>();
        foreach (var (enterprise, order, reading) in readings)
        {
            var key = new CounterKey(enterprise, order, reading.Step, reading.Terminal, reading.Run);
            if (_counters.TryGetValue(key, out var id))
            {
                resolved[key] = id;
            }
            else
            {
                missing.Add(key);
            }
        }

        if (missing.Count == 0)
        {
            return resolved;
        }

        var keys = missing.ToArray();
        await using var command = new NpgsqlCommand("""
            WITH wanted AS (SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::integer[]) AS w(enterprise, order_id, step, terminal, run)),
            added AS (
                INSERT INTO ib_counters (enterprise, order_id, step, terminal, run) SELECT * FROM wanted
                ON CONFLICT DO NOTHING
                RETURNING id, enterprise, order_id, step, terminal, run)
            SELECT * FROM added
            UNION ALL
            SELECT c.id, c.enterprise, c.order_id, c.step, c.terminal, c.run FROM ib_counters c JOIN wanted w USING (enterprise, order_id, step, terminal, run)
            """, connection);
        command.Parameters.Add(new NpgsqlParameter { Value = keys.Select(k => k.Enterprise).ToArray() });
        command.Parameters.Add(new NpgsqlParameter { Value = keys.Select(k => k.Order).ToArray() });
        command.Parameters.Add(new NpgsqlParameter { Value = keys.Select(k => k.Step).ToArray() });
        command.Parameters.Add(new NpgsqlParameter { Value = keys.Select(k => k.Terminal).ToArray() });
        command.Parameters.Add(new NpgsqlParameter { Value = keys.Select(k => k.Run).ToArray() });
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                resolved[new CounterKey(reader.GetString(1), reader.GetString(2), reader.GetString(3), reader.GetString(4), reader.GetInt32(5))] = reader.GetInt32(0);
            }
        }

        // A counter another silo inserted after this statement's snapshot is seen by the next statement.
        var still = keys.Where(k => !resolved.ContainsKey(k)).ToArray();
        if (still.Length > 0)
        {
            await using var again = new NpgsqlCommand("""
                SELECT c.id, c.enterprise, c.order_id, c.step, c.terminal, c.run FROM ib_counters c
                JOIN unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::integer[]) AS w(enterprise, order_id, step, terminal, run)
                USING (enterprise, order_id, step, terminal, run)
                """, connection);
            again.Parameters.Add(new NpgsqlParameter { Value = still.Select(k => k.Enterprise).ToArray() });
            again.Parameters.Add(new NpgsqlParameter { Value = still.Select(k => k.Order).ToArray() });
            again.Parameters.Add(new NpgsqlParameter { Value = still.Select(k => k.Step).ToArray() });
            again.Parameters.Add(new NpgsqlParameter { Value = still.Select(k => k.Terminal).ToArray() });
            again.Parameters.Add(new NpgsqlParameter { Value = still.Select(k => k.Run).ToArray() });
            await using var reader = await again.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                resolved[new CounterKey(reader.GetString(1), reader.GetString(2), reader.GetString(3), reader.GetString(4), reader.GetInt32(5))] = reader.GetInt32(0);
            }
        }

        if (keys.FirstOrDefault(k => !resolved.ContainsKey(k)) is { Enterprise: not null } lost)
        {
            throw new InvalidOperationException($"the archive could not find or add the counter {lost.Enterprise}/{lost.Order}/{lost.Step}/{lost.Terminal}/{lost.Run}");
        }

        return resolved;
    }

    public static DateOnly DayOf(DateTimeOffset instant) => DateOnly.FromDateTime(instant.UtcDateTime);

    public static string PartitionName(DateOnly day) => "ib_readings_" + day.ToString("yyyyMMdd", CultureInfo.InvariantCulture);

    /// <summary>Creates the day partitions that do not exist yet (several silos may race: whoever loses, ignores it).</summary>
    public async Task EnsurePartitions(IEnumerable<DateOnly> days, CancellationToken cancellationToken)
    {
        var wanted = days.Distinct().Where(d => !_partitions.Contains(d)).ToArray();
        if (wanted.Length == 0)
        {
            return;
        }

        await _partitionLock.WaitAsync(cancellationToken);
        try
        {
            await using var connection = await _source.OpenConnectionAsync(cancellationToken);
            foreach (var day in wanted)
            {
                var from = day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
                var to = day.AddDays(1).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
                try
                {
                    await Execute(connection,
                        $"CREATE TABLE IF NOT EXISTS {PartitionName(day)} PARTITION OF ib_readings FOR VALUES FROM ('{from} 00:00:00+00') TO ('{to} 00:00:00+00')",
                        cancellationToken);
                }
                catch (PostgresException e) when (e.SqlState is PostgresErrorCodes.DuplicateTable or PostgresErrorCodes.UniqueViolation)
                {
                    // Another silo made it just now.
                }

                _partitions.Add(day);
            }
        }
        finally
        {
            _partitionLock.Release();
        }
    }

    /// <summary>The readings table's day partitions as they exist now.</summary>
    public async Task<DateOnly[]> Partitions(CancellationToken cancellationToken)
    {
        await using var connection = await _source.OpenConnectionAsync(cancellationToken);
        await using var command = new NpgsqlCommand("""
            SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
            WHERE i.inhparent = 'ib_readings'::regclass ORDER BY 1
            """, connection);
        var days = new List<DateOnly>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            var name = reader.GetString(0);
            if (name.StartsWith("ib_readings_", StringComparison.Ordinal)
                && DateOnly.TryParseExact(name["ib_readings_".Length..], "yyyyMMdd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var day))
            {
                days.Add(day);
            }
        }

        return [.. days];
    }

    public async Task<int> Retain(DateOnly keepFrom, DateOnly prepareUntil, CancellationToken cancellationToken)
    {
        var existing = await Partitions(cancellationToken);
        var dropped = 0;
        await using (var connection = await _source.OpenConnectionAsync(cancellationToken))
        {
            foreach (var day in existing.Where(d => d < keepFrom))
            {
                await Execute(connection, $"DROP TABLE IF EXISTS {PartitionName(day)}", cancellationToken);
                _partitions.Remove(day);
                dropped++;
            }

            var cutoff = new DateTime(keepFrom, TimeOnly.MinValue, DateTimeKind.Utc);
            await using var statuses = new NpgsqlCommand("DELETE FROM ib_terminal_status WHERE ts < $1", connection);
            statuses.Parameters.Add(new NpgsqlParameter { Value = cutoff });
            await statuses.ExecuteNonQueryAsync(cancellationToken);
            await using var days = new NpgsqlCommand("DELETE FROM ib_output_daily WHERE day < $1", connection);
            days.Parameters.Add(new NpgsqlParameter { Value = keepFrom });
            await days.ExecuteNonQueryAsync(cancellationToken);
            await using var bundles = new NpgsqlCommand("DELETE FROM ib_bundles WHERE closed_at < $1", connection);
            bundles.Parameters.Add(new NpgsqlParameter { Value = cutoff });
            await bundles.ExecuteNonQueryAsync(cancellationToken);
        }

        var today = DayOf(DateTimeOffset.UtcNow);
        var start = today.AddDays(-1) > keepFrom ? today.AddDays(-1) : keepFrom;
        var ahead = new List<DateOnly>();
        for (var day = start; day <= prepareUntil; day = day.AddDays(1))
        {
            ahead.Add(day);
        }

        await EnsurePartitions(ahead, cancellationToken);
        return dropped;
    }

    public async Task<TimelineRow[]> Timeline(string enterprise, string order, DateTimeOffset from, DateTimeOffset to, int limit, CancellationToken cancellationToken)
    {
        await using var connection = await _source.OpenConnectionAsync(cancellationToken);
        await using var command = new NpgsqlCommand("""
            SELECT step, terminal, run, seq, good, scrap, ts FROM (
                SELECT DISTINCT ON (r.counter_id, r.seq) c.step, c.terminal, c.run, r.seq, r.good, r.scrap, r.ts
                FROM ib_counters c JOIN ib_readings r ON r.counter_id = c.id
                WHERE c.enterprise = $1 AND c.order_id = $2 AND r.ts >= $3 AND r.ts < $4
                ORDER BY r.counter_id, r.seq, r.ts) first_seen
            ORDER BY ts, step, terminal, run, seq
            LIMIT $5
            """, connection);
        command.Parameters.Add(new NpgsqlParameter { Value = enterprise });
        command.Parameters.Add(new NpgsqlParameter { Value = order });
        command.Parameters.Add(new NpgsqlParameter { Value = from.UtcDateTime });
        command.Parameters.Add(new NpgsqlParameter { Value = to.UtcDateTime });
        command.Parameters.Add(new NpgsqlParameter { Value = limit });
        var rows = new List<TimelineRow>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            rows.Add(new TimelineRow(reader.GetString(0), reader.GetString(1), reader.GetInt32(2), reader.GetInt64(3),
                reader.GetInt32(4), reader.GetInt32(5), new DateTimeOffset(reader.GetDateTime(6), TimeSpan.Zero)));
        }

        return [.. rows];
    }

    public async Task<bool> HasOrder(string enterprise, string order, CancellationToken cancellationToken)
    {
        await using var connection = await _source.OpenConnectionAsync(cancellationToken);
        await using var command = new NpgsqlCommand("SELECT EXISTS (SELECT 1 FROM ib_counters WHERE enterprise = $1 AND order_id = $2)", connection);
        command.Parameters.Add(new NpgsqlParameter { Value = enterprise });
        command.Parameters.Add(new NpgsqlParameter { Value = order });
        return (bool)(await command.ExecuteScalarAsync(cancellationToken))!;
    }

    public async Task<DayFigure[]> Output(DateOnly from, DateOnly to, string? enterprise, string? node, CancellationToken cancellationToken)
    {
        var filter = enterprise is not null ? "AND enterprise = $3" : node is not null ? "AND chain_node = $3" : "";
        await using var connection = await _source.OpenConnectionAsync(cancellationToken);
        await using var command = new NpgsqlCommand($"""
            SELECT day, sum(units)::bigint, sum(value) FROM ib_output_daily
            WHERE day >= $1 AND day <= $2 {filter}
            GROUP BY day ORDER BY day
            """, connection);
        command.Parameters.Add(new NpgsqlParameter { Value = from });
        command.Parameters.Add(new NpgsqlParameter { Value = to });
        if ((enterprise ?? node) is { } id)
        {
            command.Parameters.Add(new NpgsqlParameter { Value = id });
        }

        var days = new List<DayFigure>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            days.Add(new DayFigure(reader.GetFieldValue<DateOnly>(0), reader.GetInt64(1), reader.GetDecimal(2)));
        }

        return [.. days];
    }

    public bool IsUnavailable(Exception exception) => exception switch
    {
        PostgresException pg => pg.SqlState.StartsWith("08", StringComparison.Ordinal) // connection
            || pg.SqlState.StartsWith("57", StringComparison.Ordinal) // shut down, cannot connect now, cancelled
            || pg.SqlState.StartsWith("53", StringComparison.Ordinal) // out of resources
            || pg.SqlState == PostgresErrorCodes.UndefinedTable // the schema is not made yet
            || pg.SqlState == PostgresErrorCodes.InvalidCatalogName
            || pg.SqlState == PostgresErrorCodes.InvalidPassword
            || pg.SqlState == PostgresErrorCodes.InvalidAuthorizationSpecification,
        NpgsqlException or TimeoutException or SocketException or IOException => true,
        _ => exception.InnerException is { } inner && IsUnavailable(inner),
    };

    private static async Task Execute(NpgsqlConnection connection, string sql, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public ValueTask DisposeAsync() => _source.DisposeAsync();
}
