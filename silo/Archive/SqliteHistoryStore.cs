using System.Data.Common;
using System.Globalization;
using System.Text.Json;
using IndustryBrain.Contracts;
using IndustryBrain.Domain;
using Microsoft.Data.Sqlite;

namespace IndustryBrain.Silo.Archive;

/// <summary>
/// The embedded default's archive: a SQLite file (<c>history.db</c>, WAL) beside the state database, with
/// the same tables as PostgreSQL but without partitions (retention deletes by time). Times are stored
/// as microseconds since 1970 UTC, values as ten-thousandths so sums stay exact.
/// </summary>
public sealed class SqliteHistoryStore : IHistoryStore
{
    private const decimal ValueScale = 10_000m;
    private const int MaxCachedCounters = 1_000_000;

    private static readonly (int Version, string Sql)[] Migrations =
    [
        (1, """
            CREATE TABLE ib_counters (
                id         INTEGER PRIMARY KEY,
                enterprise TEXT    NOT NULL,
                order_id   TEXT    NOT NULL,
                step       TEXT    NOT NULL,
                terminal   TEXT    NOT NULL,
                run        INTEGER NOT NULL,
                UNIQUE (enterprise, order_id, step, terminal, run));
            CREATE TABLE ib_readings (
                counter_id INTEGER NOT NULL,
                seq        INTEGER NOT NULL,
                ts         INTEGER NOT NULL,
                good       INTEGER NOT NULL,
                scrap      INTEGER NOT NULL,
                PRIMARY KEY (counter_id, seq, ts)) WITHOUT ROWID;
            CREATE INDEX ib_readings_ts ON ib_readings (ts);
            CREATE TABLE ib_terminal_status (
                enterprise TEXT    NOT NULL,
                terminal   TEXT    NOT NULL,
                ts         INTEGER NOT NULL,
                state      TEXT    NOT NULL,
                seq        INTEGER,
                fault      TEXT,
                PRIMARY KEY (enterprise, terminal, ts, state)) WITHOUT ROWID;
            CREATE TABLE ib_output_daily (
                enterprise TEXT    NOT NULL,
                day        TEXT    NOT NULL,
                chain_node TEXT,
                units      INTEGER NOT NULL,
                value      INTEGER NOT NULL,
                as_of      INTEGER NOT NULL,
                PRIMARY KEY (enterprise, day)) WITHOUT ROWID;
            CREATE INDEX ib_output_daily_day ON ib_output_daily (day, units, value);
            CREATE INDEX ib_output_daily_node ON ib_output_daily (chain_node, day, units, value);
            CREATE TABLE ib_bundles (
                bundle    TEXT PRIMARY KEY,
                state     TEXT NOT NULL,
                closed_at INTEGER,
                body      TEXT NOT NULL);
            """),

        // A reading is one (counter, seq), whatever its time: a resend that came without ts (stamped with another
        // receive time) is the same reading. Each (counter, seq) keeps its earliest time.
        (2, """
            CREATE TABLE ib_readings_v2 (
                counter_id INTEGER NOT NULL,
                seq        INTEGER NOT NULL,
                ts         INTEGER NOT NULL,
                good       INTEGER NOT NULL,
                scrap      INTEGER NOT NULL,
                PRIMARY KEY (counter_id, seq)) WITHOUT ROWID;
            INSERT OR IGNORE INTO ib_readings_v2 SELECT counter_id, seq, ts, good, scrap FROM ib_readings ORDER BY ts;
            DROP TABLE ib_readings;
            ALTER TABLE ib_readings_v2 RENAME TO ib_readings;
            CREATE INDEX ib_readings_ts ON ib_readings (ts);
            """),
    ];

    private readonly string _connectionString;
    private readonly Dictionary<(string, string, string, string, int), long> _counters = [];

    public SqliteHistoryStore(string path)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        DatabasePath = path;
        _connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = path,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Pooling = true,
            DefaultTimeout = 30,
        }.ToString();
    }

    public string DatabasePath { get; }

    public string Backend => "sqlite";

    private SqliteConnection Open()
    {
        var connection = new SqliteConnection(_connectionString);
        connection.Open();
        using var pragma = connection.CreateCommand();
        pragma.CommandText = "PRAGMA busy_timeout = 30000; PRAGMA synchronous = NORMAL;";
        pragma.ExecuteNonQuery();
        return connection;
    }

    public static long Micros(DateTimeOffset instant) => (instant.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) / 10;

    private static DateTimeOffset FromMicros(long micros) => DateTimeOffset.UnixEpoch.AddTicks(micros * 10);

    public Task Migrate(CancellationToken cancellationToken) => Task.Run(() =>
    {
        using var connection = Open();
        Execute(connection, null, "PRAGMA journal_mode = WAL");
        using var transaction = connection.BeginTransaction(deferred: false);
        Execute(connection, transaction, "CREATE TABLE IF NOT EXISTS ib_schema (version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)");
        using var current = connection.CreateCommand();
        current.Transaction = transaction;
        current.CommandText = "SELECT coalesce(max(version), 0) FROM ib_schema";
        var version = Convert.ToInt32(current.ExecuteScalar(), CultureInfo.InvariantCulture);
        foreach (var (next, sql) in Migrations)
        {
            if (next > version)
            {
                Execute(connection, transaction, sql);
                Execute(connection, transaction, $"INSERT INTO ib_schema (version, applied_at) VALUES ({next}, '{DateTimeOffset.UtcNow:O}')");
            }
        }

        transaction.Commit();
    }, cancellationToken);

    public Task Write(ArchiveBatch batch, CancellationToken cancellationToken) => Task.Run(() =>
    {
        using var connection = Open();
        using var transaction = connection.BeginTransaction(deferred: false);
        var added = new Dictionary<(string, string, string, string, int), long>();
        if (batch.Readings.Count > 0)
        {
            using var addCounter = Command(connection, transaction, """
                INSERT INTO ib_counters (enterprise, order_id, step, terminal, run) VALUES ($e, $o, $s, $t, $r)
                ON CONFLICT DO UPDATE SET run = excluded.run RETURNING id
                """, "$e", "$o", "$s", "$t", "$r");
            var rows = new List<(long Counter, Reading Reading)>(batch.Readings.Count);
            foreach (var (enterprise, order, reading) in batch.Readings)
            {
                var key = (enterprise, order, reading.Step, reading.Terminal, reading.Run);
                if (!_counters.TryGetValue(key, out var id) && !added.TryGetValue(key, out id))
                {
                    Bind(addCounter, enterprise, order, reading.Step, reading.Terminal, reading.Run);
                    added[key] = id = (long)addCounter.ExecuteScalar()!;
                }

                rows.Add((id, reading));
            }

            InsertReadings(connection, transaction, rows);
        }

        if (batch.Statuses.Count > 0)
        {
            using var insert = Command(connection, transaction, """
                INSERT INTO ib_terminal_status (enterprise, terminal, ts, state, seq, fault) VALUES ($e, $t, $ts, $s, $q, $f)
                ON CONFLICT DO NOTHING
                """, "$e", "$t", "$ts", "$s", "$q", "$f");
            foreach (var (enterprise, status) in batch.Statuses)
            {
                Bind(insert, enterprise, status.Terminal, Micros(status.Ts), status.State, status.Seq, status.Fault);
                insert.ExecuteNonQuery();
            }
        }

        if (batch.Days.Count > 0)
        {
            using var upsert = Command(connection, transaction, """
                INSERT INTO ib_output_daily (enterprise, day, chain_node, units, value, as_of) VALUES ($e, $d, $n, $u, $v, $a)
                ON CONFLICT (enterprise, day) DO UPDATE
                    SET chain_node = excluded.chain_node, units = excluded.units, value = excluded.value, as_of = excluded.as_of
                    WHERE ib_output_daily.as_of <= excluded.as_of
                """, "$e", "$d", "$n", "$u", "$v", "$a");
            foreach (var day in batch.Days)
            {
                Bind(upsert, day.Enterprise, Day(day.Date), day.ChainNode, day.Units, (long)decimal.Round(day.Value * ValueScale), Micros(day.AsOf));
                upsert.ExecuteNonQuery();
            }
        }

        if (batch.Bundles.Count > 0)
        {
            using var upsert = Command(connection, transaction, """
                INSERT INTO ib_bundles (bundle, state, closed_at, body) VALUES ($b, $s, $c, $j)
                ON CONFLICT (bundle) DO UPDATE SET state = excluded.state, closed_at = excluded.closed_at, body = excluded.body
                """, "$b", "$s", "$c", "$j");
            foreach (var bundle in batch.Bundles)
            {
                Bind(upsert, bundle.Bundle, bundle.State, bundle.ClosedAt is { } closed ? Micros(closed) : null, JsonSerializer.Serialize(bundle, JsonSerializerOptions.Web));
                upsert.ExecuteNonQuery();
            }
        }

        transaction.Commit();
        if (_counters.Count + added.Count > MaxCachedCounters)
        {
            _counters.Clear();
        }

        foreach (var (key, id) in added)
        {
            _counters[key] = id;
        }
    }, cancellationToken);

    public Task<int> Retain(DateOnly keepFrom, DateOnly prepareUntil, CancellationToken cancellationToken) => Task.Run(() =>
    {
        var cutoff = Micros(new DateTimeOffset(keepFrom.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero));
        using var connection = Open();
        using var transaction = connection.BeginTransaction(deferred: false);
        using var oldest = Command(connection, transaction, "SELECT min(ts) FROM ib_readings");
        var first = oldest.ExecuteScalar() is long micros ? micros : (long?)null;
        using var readings = Command(connection, transaction, "DELETE FROM ib_readings WHERE ts < $c", "$c");
        Bind(readings, cutoff);
        readings.ExecuteNonQuery();
        using var statuses = Command(connection, transaction, "DELETE FROM ib_terminal_status WHERE ts < $c", "$c");
        Bind(statuses, cutoff);
        statuses.ExecuteNonQuery();
        using var days = Command(connection, transaction, "DELETE FROM ib_output_daily WHERE day < $d", "$d");
        Bind(days, Day(keepFrom));
        days.ExecuteNonQuery();
        using var bundles = Command(connection, transaction, "DELETE FROM ib_bundles WHERE closed_at < $c", "$c");
        Bind(bundles, cutoff);
        bundles.ExecuteNonQuery();
        transaction.Commit();
        return first is { } f && f < cutoff ? keepFrom.DayNumber - DateOnly.FromDateTime(FromMicros(f).UtcDateTime).DayNumber : 0;
    }, cancellationToken);

    public Task<TimelineRow[]> Timeline(string enterprise, string order, DateTimeOffset from, DateTimeOffset to, int limit, CancellationToken cancellationToken) => Task.Run(() =>
    {
        using var connection = Open();
        // SQLite takes the other columns of a min() aggregate from the row that holds the minimum.
        using var command = Command(connection, null, """
            SELECT c.step, c.terminal, c.run, r.seq, r.good, r.scrap, min(r.ts) AS first_ts
            FROM ib_counters c JOIN ib_readings r ON r.counter_id = c.id
            WHERE c.enterprise = $e AND c.order_id = $o AND r.ts >= $from AND r.ts < $to
            GROUP BY r.counter_id, r.seq
            ORDER BY first_ts, c.step, c.terminal, c.run, r.seq
            LIMIT $limit
            """, "$e", "$o", "$from", "$to", "$limit");
        Bind(command, enterprise, order, Micros(from), Micros(to), limit);
        var rows = new List<TimelineRow>();
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            rows.Add(new TimelineRow(reader.GetString(0), reader.GetString(1), reader.GetInt32(2), reader.GetInt64(3),
                reader.GetInt64(4), reader.GetInt64(5), FromMicros(reader.GetInt64(6))));
        }

        return rows.ToArray();
    }, cancellationToken);

    public Task<bool> HasOrder(string enterprise, string order, CancellationToken cancellationToken) => Task.Run(() =>
    {
        using var connection = Open();
        using var command = Command(connection, null, "SELECT EXISTS (SELECT 1 FROM ib_counters WHERE enterprise = $e AND order_id = $o)", "$e", "$o");
        Bind(command, enterprise, order);
        return Convert.ToInt64(command.ExecuteScalar(), CultureInfo.InvariantCulture) != 0;
    }, cancellationToken);

    public Task<DayFigure[]> Output(DateOnly from, DateOnly to, string? enterprise, string? node, CancellationToken cancellationToken) => Task.Run(() =>
    {
        var filter = enterprise is not null ? "AND enterprise = $id" : node is not null ? "AND chain_node = $id" : "";
        using var connection = Open();
        using var command = Command(connection, null, $"""
            SELECT day, sum(units), sum(value) FROM ib_output_daily
            WHERE day >= $from AND day <= $to {filter}
            GROUP BY day ORDER BY day
            """, "$from", "$to", "$id");
        Bind(command, Day(from), Day(to), enterprise ?? node);
        var days = new List<DayFigure>();
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            days.Add(new DayFigure(DateOnly.ParseExact(reader.GetString(0), "yyyy-MM-dd", CultureInfo.InvariantCulture),
                reader.GetInt64(1), reader.GetInt64(2) / ValueScale));
        }

        return days.ToArray();
    }, cancellationToken);

    public Task<StatusChange[]> StatusChanges(string enterprise, string? terminal, DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken) => Task.Run(() =>
    {
        using var connection = Open();
        // SQLite takes the other columns of a max() aggregate from the row that holds the maximum.
        using var command = Command(connection, null, """
            SELECT terminal, ts, state FROM ib_terminal_status
            WHERE enterprise = $e AND ($t IS NULL OR terminal = $t) AND ts >= $from AND ts < $to
            UNION ALL
            SELECT terminal, max(ts), state FROM ib_terminal_status
            WHERE enterprise = $e AND ($t IS NULL OR terminal = $t) AND ts < $from
            GROUP BY terminal
            """, "$e", "$t", "$from", "$to");
        Bind(command, enterprise, terminal, Micros(from), Micros(to));
        var changes = new List<StatusChange>();
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            changes.Add(new StatusChange(reader.GetString(0), FromMicros(reader.GetInt64(1)), reader.GetString(2)));
        }

        return changes.ToArray();
    }, cancellationToken);

    public Task<bool> HasStatus(string enterprise, string? terminal, CancellationToken cancellationToken) => Task.Run(() =>
    {
        using var connection = Open();
        using var command = Command(connection, null,
            "SELECT EXISTS (SELECT 1 FROM ib_terminal_status WHERE enterprise = $e AND ($t IS NULL OR terminal = $t))", "$e", "$t");
        Bind(command, enterprise, terminal);
        return Convert.ToInt64(command.ExecuteScalar(), CultureInfo.InvariantCulture) != 0;
    }, cancellationToken);

    public bool IsUnavailable(Exception exception) => exception is SqliteException or IOException or UnauthorizedAccessException
        || (exception.InnerException is { } inner && IsUnavailable(inner));

    private static string Day(DateOnly day) => day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    /// <summary>
    /// The readings, <see cref="RowsPerInsert"/> to a statement and the rest one at a time, each statement prepared
    /// once per batch: one statement per reading spent more on running the statement than on the two B-tree inserts
    /// it does, and many rows to a statement spend more on binding: Microsoft.Data.Sqlite binds every parameter by
    /// name, and SQLite finds a name by comparing it with each of the statement's names (at 100 rows, 500
    /// parameters: 5 to 6% of the silo's CPU in strncmp under a district's load).
    /// </summary>
    private static void InsertReadings(SqliteConnection connection, SqliteTransaction transaction, List<(long Counter, Reading Reading)> rows)
    {
        SqliteCommand? several = null;
        SqliteCommand? one = null;
        try
        {
            for (var start = 0; start < rows.Count;)
            {
                var count = rows.Count - start >= RowsPerInsert ? RowsPerInsert : 1;
                var insert = count == RowsPerInsert ? several ??= ReadingsInsert(connection, transaction, count) : one ??= ReadingsInsert(connection, transaction, 1);
                var parameters = insert.Parameters;
                for (var i = 0; i < count; i++)
                {
                    var (counter, reading) = rows[start + i];
                    parameters[(i * 5) + 0].Value = counter;
                    parameters[(i * 5) + 1].Value = reading.Seq;
                    parameters[(i * 5) + 2].Value = Micros(reading.Ts);
                    parameters[(i * 5) + 3].Value = reading.Good;
                    parameters[(i * 5) + 4].Value = reading.Scrap;
                }

                insert.ExecuteNonQuery();
                start += count;
            }
        }
        finally
        {
            several?.Dispose();
            one?.Dispose();
        }
    }

    private const int RowsPerInsert = 8;

    private static SqliteCommand ReadingsInsert(SqliteConnection connection, SqliteTransaction transaction, int rows)
    {
        var sql = new System.Text.StringBuilder("INSERT INTO ib_readings (counter_id, seq, ts, good, scrap) VALUES ");
        var names = new string[rows * 5];
        for (var i = 0; i < rows; i++)
        {
            for (var f = 0; f < 5; f++)
            {
                names[(i * 5) + f] = $"$p{(i * 5) + f}";
            }

            sql.Append(i == 0 ? "" : ", ").Append('(').AppendJoin(", ", names.AsSpan((i * 5), 5).ToArray()).Append(')');
        }

        return Command(connection, transaction, sql.Append(" ON CONFLICT DO NOTHING").ToString(), names);
    }

    private static SqliteCommand Command(SqliteConnection connection, SqliteTransaction? transaction, string sql, params string[] parameters)
    {
        var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        foreach (var name in parameters)
        {
            command.Parameters.Add(new SqliteParameter { ParameterName = name });
        }

        return command;
    }

    private static void Bind(DbCommand command, params object?[] values)
    {
        for (var i = 0; i < values.Length; i++)
        {
            command.Parameters[i].Value = values[i] ?? DBNull.Value;
        }
    }

    private static void Execute(SqliteConnection connection, SqliteTransaction? transaction, string sql)
    {
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    public ValueTask DisposeAsync()
    {
        using var connection = new SqliteConnection(_connectionString);
        SqliteConnection.ClearPool(connection);
        return ValueTask.CompletedTask;
    }
}
