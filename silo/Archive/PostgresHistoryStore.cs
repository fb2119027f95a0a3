using System.Globalization;
using System.Net.Sockets;
using System.Text.Json;
using IndustryBrain.Contracts;
using IndustryBrain.Domain;
using Npgsql;
using NpgsqlTypes;

namespace IndustryBrain.Silo.Archive;

/// <summary>
/// The archive in PostgreSQL. Readings go to <c>ib_readings</c>, partitioned by UTC day on the reading's
/// time, one row of five fixed-width columns per reading; the ids of each (enterprise, order, step,
/// terminal, run) are stored once in <c>ib_counters</c>, with the first and last day it counted (so an
/// order's timeline reads only the partitions of its own days). Each enterprise's output per day is kept
/// in <c>ib_output_daily</c>, and summed per chain node and day into <c>ib_output_node_daily</c> in the
/// same transaction (the district's year is 17 nodes x 365 rows, not 1,700 x 365). The readings above the highest
/// seq their counter has in the archive are copied in binary straight into the table; the others (a retry, an
/// epoch's resend) go through a staging table and are inserted only where their (counter, seq) is not archived,
/// so a reading written twice is kept once. Retention drops whole day partitions. The connection string is
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
                first_day  date    NOT NULL,
                last_day   date    NOT NULL,
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
            CREATE TABLE ib_output_node_daily (
                day        date    NOT NULL,
                chain_node text    NOT NULL,
                units      bigint  NOT NULL,
                value      numeric NOT NULL,
                PRIMARY KEY (day, chain_node));
            CREATE TABLE ib_bundles (
                bundle    text PRIMARY KEY,
                state     text NOT NULL,
                closed_at timestamptz,
                body      jsonb NOT NULL);
            """),
    ];

    private readonly NpgsqlDataSource _source;
    private readonly Dictionary<CounterKey, Counter> _counters = [];
    private readonly HashSet<DateOnly> _partitions = [];

    // The writer's buffers, kept from batch to batch (one writer writes at a time). A batch's counters run to
    // thousands: made afresh, these collections were large objects every batch, and the ingest bench's silo ran
    // twice the gen-2 collections with the archive on.
    private readonly Dictionary<CounterKey, int> _slots = [];
    private readonly List<CounterKey> _keys = [];
    private readonly List<(DateOnly First, DateOnly Last)> _spans = [];
    private readonly HashSet<DateOnly> _readingDays = [];
    private readonly Dictionary<CounterKey, (DateOnly First, DateOnly Last)> _span = [];
    private readonly Dictionary<CounterKey, Counter> _resolved = [];
    private readonly List<CounterKey> _missing = [];
    private Counter[] _batchCounters = [];
    private long[] _highest = [];
    private readonly List<DateTime> _ts = [];
    private readonly List<long> _seqs = [];
    private readonly List<int> _ids = [];
    private readonly List<int> _good = [];
    private readonly List<int> _scrap = [];
    private int[] _slotOf = [];
    private readonly SemaphoreSlim _partitionLock = new(1, 1);

    public PostgresHistoryStore(string connectionString)
    {
        var builder = new NpgsqlConnectionStringBuilder(connectionString)
        {
            // The staging table lives as long as the pooled connection.
            NoResetOnClose = true,
            WriteBufferSize = 64 * 1024,
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

    private readonly record struct CounterKey(string Enterprise, string Order, string Step, string Terminal, int Run)
    {
        public bool Is(string enterprise, string order, Reading reading) =>
            Run == reading.Run && string.Equals(Terminal, reading.Terminal, StringComparison.Ordinal) && string.Equals(Step, reading.Step, StringComparison.Ordinal)
            && string.Equals(Order, order, StringComparison.Ordinal) && string.Equals(Enterprise, enterprise, StringComparison.Ordinal);
    }

    /// <summary>
    /// A counter's id, the days it is known to have counted on, and the highest seq the archive holds of it
    /// (<see cref="NoSeq"/>: none; <see cref="SeqUnknown"/>: not looked up yet).
    /// </summary>
    private readonly record struct Counter(int Id, DateOnly First, DateOnly Last, long MaxSeq = SeqUnknown);

    private const long SeqUnknown = long.MinValue;
    private const long NoSeq = long.MinValue + 1;

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
        // One pass over the readings: each one's counter, resolved once (a slot; the next reading of the same counter,
        // as in an order's batch, takes the same slot without hashing), the days each counter counted on, the batch's days.
        var readings = batch.Readings;
        var slotOf = readings.Count <= _slotOf.Length ? _slotOf : _slotOf = new int[readings.Count];
        var slots = _slots;
        var keys = _keys;
        var spans = _spans;
        var readingDays = _readingDays;
        slots.Clear();
        keys.Clear();
        spans.Clear();
        readingDays.Clear();
        var previous = -1;
        var lastDay = DateOnly.MinValue;
        for (var i = 0; i < readings.Count; i++)
        {
            var (enterprise, order, reading) = readings[i];
            var day = DayOf(reading.Ts);
            if (day != lastDay)
            {
                readingDays.Add(day);
                lastDay = day;
            }

            var slot = previous;
            if (slot < 0 || !keys[slot].Is(enterprise, order, reading))
            {
                var key = new CounterKey(enterprise, order, reading.Step, reading.Terminal, reading.Run);
                if (!slots.TryGetValue(key, out slot))
                {
                    slot = keys.Count;
                    slots[key] = slot;
                    keys.Add(key);
                    spans.Add((day, day));
                }

                previous = slot;
            }

            var (first, last) = spans[slot];
            if (day < first || day > last)
            {
                spans[slot] = (Min(first, day), Max(last, day));
            }

            slotOf[i] = slot;
        }

        if (readings.Count > 0)
        {
            // DDL outside the write's transaction: creating a partition locks the parent table for a moment only.
            await EnsurePartitions(readingDays, cancellationToken);
        }

        await using var connection = await _source.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        Counter[]? counters = null;
        if (readings.Count > 0)
        {
            counters = await CounterIds(connection, keys, spans, cancellationToken);

            // A reading whose seq is above the highest its counter has in the archive cannot be there yet (whatever its
            // time): copied in as it is (WriteNew). Any other (a resend,
            // possibly stamped with another receive time when it came without ts) is inserted only if its (counter, seq)
            // is not archived on any of the counter's days. Two batches of one order are applied concurrently, so a
            // counter's readings may reach the archive out of order: one newer than the archive but behind an earlier
            // one of this batch is inserted as it is too, unless this batch holds its (counter, seq) already.
            var highest = _highest.Length >= keys.Count ? _highest : _highest = new long[keys.Count];
            for (var s = 0; s < keys.Count; s++)
            {
                highest[s] = counters[s].MaxSeq;
            }

            List<(int Id, long Seq, DateTimeOffset Ts, long Good, long Scrap, DateOnly First, DateOnly Last)>? resent = null;
            List<int>? behind = null;
            _ts.Clear();
            _seqs.Clear();
            _ids.Clear();
            _good.Clear();
            _scrap.Clear();
            for (var i = 0; i < readings.Count; i++)
            {
                var reading = readings[i].Reading;
                var slot = slotOf[i];
                if (reading.Seq <= counters[slot].MaxSeq)
                {
                    (resent ??= []).Add(Resent(counters[slot], reading));
                }
                else if (reading.Seq <= highest[slot])
                {
                    (behind ??= []).Add(i);
                }
                else
                {
                    highest[slot] = reading.Seq;
                    AddRow(counters[slot].Id, reading);
                }
            }

            if (behind is not null)
            {
                var inBatch = new HashSet<(int Id, long Seq)>(_ids.Count + behind.Count);
                for (var k = 0; k < _ids.Count; k++)
                {
                    inBatch.Add((_ids[k], _seqs[k]));
                }

                foreach (var i in behind)
                {
                    var reading = readings[i].Reading;
                    var counter = counters[slotOf[i]];
                    if (inBatch.Add((counter.Id, reading.Seq)))
                    {
                        AddRow(counter.Id, reading);
                    }
                    else
                    {
                        (resent ??= []).Add(Resent(counter, reading)); // twice in the batch: kept once, by the resend's lookup
                    }
                }
            }

            if (_ts.Count > 0)
            {
                await WriteNew(connection, transaction, cancellationToken);
            }

            if (resent is not null)
            {
                await WriteResent(connection, resent, cancellationToken);
            }

            for (var s = 0; s < keys.Count; s++)
            {
                counters[s] = counters[s] with { MaxSeq = highest[s] };
            }
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

            // The chain nodes' sums of the days touched, recomputed under a lock per day, so that of two silos writing
            // the same day the second sums what the first committed.
            var touched = days.Select(d => d.Date).Distinct().Order().ToArray();
            await using var sums = new NpgsqlBatch(connection)
            {
                BatchCommands =
                {
                    new NpgsqlBatchCommand("SELECT pg_advisory_xact_lock(727432, d - DATE '2000-01-01') FROM unnest($1::date[]) d") { Parameters = { new() { Value = touched } } },
                    new NpgsqlBatchCommand("""
                        INSERT INTO ib_output_node_daily (day, chain_node, units, value)
                        SELECT day, coalesce(chain_node, ''), sum(units), sum(value) FROM ib_output_daily WHERE day = ANY($1) GROUP BY 1, 2
                        ON CONFLICT (day, chain_node) DO UPDATE SET units = excluded.units, value = excluded.value
                        """) { Parameters = { new() { Value = touched } } },
                    new NpgsqlBatchCommand("""
                        DELETE FROM ib_output_node_daily n WHERE n.day = ANY($1)
                            AND NOT EXISTS (SELECT 1 FROM ib_output_daily o WHERE o.day = n.day AND coalesce(o.chain_node, '') = n.chain_node)
                        """) { Parameters = { new() { Value = touched } } },
                },
            };
            await sums.ExecuteNonQueryAsync(cancellationToken);
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
        if (counters is not null)
        {
            if (_counters.Count + keys.Count > MaxCachedCounters)
            {
                _counters.Clear();
            }

            for (var s = 0; s < keys.Count; s++)
            {
                _counters[keys[s]] = counters[s];
            }
        }
    }

    /// <summary>
    /// The readings no archive holds yet, by binary COPY (PostgreSQL's cheapest way in: no per-row conflict check).
    /// Only another silo writing the same reading at the same moment (a terminal that moved, an epoch's resend) can
    /// make one of them a duplicate: then COPY refuses the lot and they go in again with ON CONFLICT DO NOTHING.
    /// </summary>
    private async Task WriteNew(NpgsqlConnection connection, NpgsqlTransaction transaction, CancellationToken cancellationToken)
    {
        await transaction.SaveAsync("new_readings", cancellationToken);
        try
        {
            await using (var copy = await connection.BeginBinaryImportAsync(
                "COPY ib_readings (ts, seq, counter_id, good, scrap) FROM STDIN (FORMAT BINARY)", cancellationToken))
            {
                for (var k = 0; k < _ts.Count; k++)
                {
                    // Synchronous rows: the writer is the only user of its connection, and a row's values are a few bytes.
                    copy.StartRow();
                    copy.Write(_ts[k], NpgsqlDbType.TimestampTz);
                    copy.Write(_seqs[k], NpgsqlDbType.Bigint);
                    copy.Write(_ids[k], NpgsqlDbType.Integer);
                    copy.Write(_good[k], NpgsqlDbType.Integer);
                    copy.Write(_scrap[k], NpgsqlDbType.Integer);
                }

                await copy.CompleteAsync(cancellationToken);
            }

            await transaction.ReleaseAsync("new_readings", cancellationToken);
            return;
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.UniqueViolation)
        {
            await transaction.RollbackAsync("new_readings", cancellationToken);
        }

        await using var insert = new NpgsqlCommand("""
            INSERT INTO ib_readings (ts, seq, counter_id, good, scrap)
            SELECT * FROM unnest($1::timestamptz[], $2::bigint[], $3::integer[], $4::integer[], $5::integer[])
            ON CONFLICT DO NOTHING
            """, connection);
        insert.Parameters.Add(new NpgsqlParameter { Value = _ts, NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.TimestampTz });
        insert.Parameters.Add(new NpgsqlParameter { Value = _seqs, NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Bigint });
        insert.Parameters.Add(new NpgsqlParameter { Value = _ids, NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Integer });
        insert.Parameters.Add(new NpgsqlParameter { Value = _good, NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Integer });
        insert.Parameters.Add(new NpgsqlParameter { Value = _scrap, NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Integer });
        await insert.ExecuteNonQueryAsync(cancellationToken);
    }

    private void AddRow(int counter, Reading reading)
    {
        _ts.Add(reading.Ts.UtcDateTime);
        _seqs.Add(reading.Seq);
        _ids.Add(counter);
        _good.Add(checked((int)reading.Good));
        _scrap.Add(checked((int)reading.Scrap));
    }

    private static (int Id, long Seq, DateTimeOffset Ts, long Good, long Scrap, DateOnly First, DateOnly Last) Resent(Counter counter, Reading reading) =>
        (counter.Id, reading.Seq, reading.Ts, reading.Good, reading.Scrap, counter.First, counter.Last);

    /// <summary>
    /// Readings whose (counter, seq) may be archived already, with another time: each (counter, seq) once (its
    /// earliest time in the batch), inserted unless the counter's days hold that seq. The lookup names the
    /// counter's days, so PostgreSQL reads the index of those partitions only.
    /// </summary>
    private static async Task WriteResent(NpgsqlConnection connection,
        List<(int Id, long Seq, DateTimeOffset Ts, long Good, long Scrap, DateOnly First, DateOnly Last)> resent, CancellationToken cancellationToken)
    {
        var once = resent.GroupBy(r => (r.Id, r.Seq)).Select(g => g.MinBy(r => r.Ts)).ToArray();
        await Execute(connection, """
            CREATE TEMP TABLE IF NOT EXISTS ib_staging_resent (
                ts timestamptz NOT NULL, seq bigint NOT NULL, counter_id integer NOT NULL, good integer NOT NULL, scrap integer NOT NULL,
                since timestamptz NOT NULL, until timestamptz NOT NULL)
                ON COMMIT DELETE ROWS
            """, cancellationToken);
        await using (var copy = await connection.BeginBinaryImportAsync(
            "COPY ib_staging_resent (ts, seq, counter_id, good, scrap, since, until) FROM STDIN (FORMAT BINARY)", cancellationToken))
        {
            foreach (var r in once)
            {
                copy.StartRow();
                copy.Write(r.Ts.UtcDateTime, NpgsqlDbType.TimestampTz);
                copy.Write(r.Seq, NpgsqlDbType.Bigint);
                copy.Write(r.Id, NpgsqlDbType.Integer);
                copy.Write(checked((int)r.Good), NpgsqlDbType.Integer);
                copy.Write(checked((int)r.Scrap), NpgsqlDbType.Integer);
                copy.Write(r.First.ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc), NpgsqlDbType.TimestampTz);
                copy.Write(r.Last.AddDays(1).ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc), NpgsqlDbType.TimestampTz);
            }

            await copy.CompleteAsync(cancellationToken);
        }

        // A nested loop over the few resent rows, pruned to each counter's days, not a hash of whole partitions.
        await Execute(connection, """
            SET LOCAL enable_hashjoin = off;
            SET LOCAL enable_mergejoin = off;
            INSERT INTO ib_readings SELECT s.ts, s.seq, s.counter_id, s.good, s.scrap FROM ib_staging_resent s
            WHERE NOT EXISTS (SELECT 1 FROM ib_readings r WHERE r.counter_id = s.counter_id AND r.seq = s.seq AND r.ts >= s.since AND r.ts < s.until)
            ON CONFLICT DO NOTHING;
            SET LOCAL enable_hashjoin = on;
            SET LOCAL enable_mergejoin = on;
            """, cancellationToken);
    }

    /// <summary>The highest seq the archive holds of each counter not looked up yet, on the counter's known days.</summary>
    private static async Task HighestSeqs(NpgsqlConnection connection, Dictionary<CounterKey, Counter> resolved, CancellationToken cancellationToken)
    {
        var unknown = resolved.Where(r => r.Value.MaxSeq == SeqUnknown).ToArray();
        if (unknown.Length == 0)
        {
            return;
        }

        await using var command = new NpgsqlCommand("""
            SELECT u.id, (SELECT max(r.seq) FROM ib_readings r WHERE r.counter_id = u.id AND r.ts >= u.since AND r.ts < u.until)
            FROM unnest($1::integer[], $2::timestamptz[], $3::timestamptz[]) AS u(id, since, until)
            """, connection);
        command.Parameters.Add(new NpgsqlParameter { Value = unknown.Select(u => u.Value.Id).ToArray() });
        command.Parameters.Add(new NpgsqlParameter { Value = unknown.Select(u => u.Value.First.ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc)).ToArray() });
        command.Parameters.Add(new NpgsqlParameter { Value = unknown.Select(u => u.Value.Last.AddDays(1).ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc)).ToArray() });
        var highest = new Dictionary<int, long>(unknown.Length);
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                highest[reader.GetInt32(0)] = reader.IsDBNull(1) ? NoSeq : reader.GetInt64(1);
            }
        }

        foreach (var (key, counter) in unknown)
        {
            resolved[key] = counter with { MaxSeq = highest.TryGetValue(counter.Id, out var max) ? max : NoSeq };
        }
    }

    /// <summary>
    /// The counters of a batch: their ids, added when new, with the days they counted on widened to the batch's
    /// (only when a counter counts on a day it was not known to, about once a day per counter).
    /// </summary>
    private async Task<Counter[]> CounterIds(NpgsqlConnection connection,
        List<CounterKey> keys, List<(DateOnly First, DateOnly Last)> spans, CancellationToken cancellationToken)
    {
        var span = _span;
        span.Clear();
        for (var s = 0; s < keys.Count; s++)
        {
            span[keys[s]] = spans[s];
        }

        var resolved = _resolved;
        var missing = _missing;
        resolved.Clear();
        missing.Clear();
        foreach (var (key, _) in span)
        {
            if (_counters.TryGetValue(key, out var counter))
            {
                resolved[key] = counter;
            }
            else
            {
                missing.Add(key);
            }
        }

        if (missing.Count > 0)
        {
            await using var command = new NpgsqlCommand("""
                WITH wanted AS (
                    SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::integer[], $6::date[], $7::date[])
                        AS w(enterprise, order_id, step, terminal, run, first_day, last_day)),
                added AS (
                    INSERT INTO ib_counters (enterprise, order_id, step, terminal, run, first_day, last_day) SELECT * FROM wanted
                    ON CONFLICT DO NOTHING
                    RETURNING id, enterprise, order_id, step, terminal, run, first_day, last_day)
                SELECT *, true FROM added
                UNION ALL
                SELECT c.id, c.enterprise, c.order_id, c.step, c.terminal, c.run, c.first_day, c.last_day, false
                FROM ib_counters c JOIN wanted w USING (enterprise, order_id, step, terminal, run)
                """, connection);
            AddKeys(command, missing, span);
            await Read(command, resolved, cancellationToken);

            // A counter another silo added after this statement's snapshot shows to the next statement.
            var still = missing.Where(k => !resolved.ContainsKey(k)).ToList();
            if (still.Count > 0)
            {
                await using var again = new NpgsqlCommand("""
                    SELECT c.id, c.enterprise, c.order_id, c.step, c.terminal, c.run, c.first_day, c.last_day, false FROM ib_counters c
                    JOIN unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::integer[], $6::date[], $7::date[])
                        AS w(enterprise, order_id, step, terminal, run, first_day, last_day)
                    USING (enterprise, order_id, step, terminal, run)
                    """, connection);
                AddKeys(again, still, span);
                await Read(again, resolved, cancellationToken);
            }

            if (missing.FirstOrDefault(k => !resolved.ContainsKey(k)) is { Enterprise: not null } lost)
            {
                throw new InvalidOperationException($"the archive could not find or add the counter {lost.Enterprise}/{lost.Order}/{lost.Step}/{lost.Terminal}/{lost.Run}");
            }
        }

        var widen = span.Where(s => resolved[s.Key] is var c && (s.Value.First < c.First || s.Value.Last > c.Last)).ToArray();
        if (widen.Length > 0)
        {
            await using var update = new NpgsqlCommand("""
                UPDATE ib_counters c SET first_day = least(c.first_day, u.first_day), last_day = greatest(c.last_day, u.last_day)
                FROM unnest($1::integer[], $2::date[], $3::date[]) AS u(id, first_day, last_day)
                WHERE c.id = u.id AND (c.first_day > u.first_day OR c.last_day < u.last_day)
                """, connection);
            update.Parameters.Add(new NpgsqlParameter { Value = widen.Select(w => resolved[w.Key].Id).ToArray() });
            update.Parameters.Add(new NpgsqlParameter { Value = widen.Select(w => w.Value.First).ToArray() });
            update.Parameters.Add(new NpgsqlParameter { Value = widen.Select(w => w.Value.Last).ToArray() });
            await update.ExecuteNonQueryAsync(cancellationToken);
            foreach (var (key, (first, last)) in widen)
            {
                var counter = resolved[key];
                resolved[key] = counter with { First = Min(counter.First, first), Last = Max(counter.Last, last) };
            }
        }

        await HighestSeqs(connection, resolved, cancellationToken);
        // Holds the batch's keys.Count counters (and may be longer).
        var counters = _batchCounters.Length >= keys.Count ? _batchCounters : _batchCounters = new Counter[keys.Count];
        for (var s = 0; s < keys.Count; s++)
        {
            counters[s] = resolved[keys[s]];
        }

        return counters;
    }

    private static void AddKeys(NpgsqlCommand command, List<CounterKey> keys, Dictionary<CounterKey, (DateOnly First, DateOnly Last)> span)
    {
        command.Parameters.Add(new NpgsqlParameter { Value = keys.Select(k => k.Enterprise).ToArray() });
        command.Parameters.Add(new NpgsqlParameter { Value = keys.Select(k => k.Order).ToArray() });
        command.Parameters.Add(new NpgsqlParameter { Value = keys.Select(k => k.Step).ToArray() });
        command.Parameters.Add(new NpgsqlParameter { Value = keys.Select(k => k.Terminal).ToArray() });
        command.Parameters.Add(new NpgsqlParameter { Value = keys.Select(k => k.Run).ToArray() });
        command.Parameters.Add(new NpgsqlParameter { Value = keys.Select(k => span[k].First).ToArray() });
        command.Parameters.Add(new NpgsqlParameter { Value = keys.Select(k => span[k].Last).ToArray() });
    }

    private static async Task Read(NpgsqlCommand command, Dictionary<CounterKey, Counter> into, CancellationToken cancellationToken)
    {
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            // A counter this statement added has no reading yet; one that existed is looked up (HighestSeqs).
            into[new CounterKey(reader.GetString(1), reader.GetString(2), reader.GetString(3), reader.GetString(4), reader.GetInt32(5))] =
                new Counter(reader.GetInt32(0), reader.GetFieldValue<DateOnly>(6), reader.GetFieldValue<DateOnly>(7), reader.GetBoolean(8) ? NoSeq : SeqUnknown);
        }
    }

    private static DateOnly Min(DateOnly a, DateOnly b) => a < b ? a : b;

    private static DateOnly Max(DateOnly a, DateOnly b) => a > b ? a : b;

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
            await using var nodeDays = new NpgsqlCommand("DELETE FROM ib_output_node_daily WHERE day < $1", connection);
            nodeDays.Parameters.Add(new NpgsqlParameter { Value = keepFrom });
            await nodeDays.ExecuteNonQueryAsync(cancellationToken);
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

        // The order's counters and the days they counted on: the readings query then names its days, and
        // PostgreSQL reads only those partitions.
        var counters = new Dictionary<int, (string Step, string Terminal, int Run)>();
        DateOnly? first = null, last = null;
        await using (var command = new NpgsqlCommand("SELECT id, step, terminal, run, first_day, last_day FROM ib_counters WHERE enterprise = $1 AND order_id = $2", connection))
        {
            command.Parameters.Add(new NpgsqlParameter { Value = enterprise });
            command.Parameters.Add(new NpgsqlParameter { Value = order });
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                counters[reader.GetInt32(0)] = (reader.GetString(1), reader.GetString(2), reader.GetInt32(3));
                var (f, l) = (reader.GetFieldValue<DateOnly>(4), reader.GetFieldValue<DateOnly>(5));
                first = first is null || f < first ? f : first;
                last = last is null || l > last ? l : last;
            }
        }

        if (counters.Count == 0)
        {
            return [];
        }

        var since = new DateTimeOffset(first!.Value.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);
        var until = new DateTimeOffset(last!.Value.AddDays(1).ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);
        since = since > from ? since : from;
        until = until < to ? until : to;
        if (since >= until)
        {
            return [];
        }

        await using var readings = new NpgsqlCommand("""
            SELECT counter_id, seq, good, scrap, ts FROM (
                SELECT DISTINCT ON (counter_id, seq) counter_id, seq, good, scrap, ts
                FROM ib_readings WHERE counter_id = ANY($1) AND ts >= $2 AND ts < $3
                ORDER BY counter_id, seq, ts) first_seen
            ORDER BY ts, counter_id, seq
            LIMIT $4
            """, connection);
        readings.Parameters.Add(new NpgsqlParameter { Value = counters.Keys.ToArray() });
        readings.Parameters.Add(new NpgsqlParameter { Value = since.UtcDateTime });
        readings.Parameters.Add(new NpgsqlParameter { Value = until.UtcDateTime });
        readings.Parameters.Add(new NpgsqlParameter { Value = limit });
        var rows = new List<TimelineRow>();
        await using (var reader = await readings.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                var (step, terminal, run) = counters[reader.GetInt32(0)];
                rows.Add(new TimelineRow(step, terminal, run, reader.GetInt64(1), reader.GetInt32(2), reader.GetInt32(3),
                    new DateTimeOffset(reader.GetDateTime(4), TimeSpan.Zero)));
            }
        }

        return [.. rows.OrderBy(r => r.Ts).ThenBy(r => r.Step, StringComparer.Ordinal).ThenBy(r => r.Terminal, StringComparer.Ordinal)
            .ThenBy(r => r.Run).ThenBy(r => r.Seq)];
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
        // One enterprise from its own rows; a node and the district from the sums per node and day.
        var sql = enterprise is not null
            ? "SELECT day, units, value FROM ib_output_daily WHERE day >= $1 AND day <= $2 AND enterprise = $3 ORDER BY day"
            : node is not null
                ? "SELECT day, units, value FROM ib_output_node_daily WHERE day >= $1 AND day <= $2 AND chain_node = $3 ORDER BY day"
                : "SELECT day, sum(units)::bigint, sum(value) FROM ib_output_node_daily WHERE day >= $1 AND day <= $2 GROUP BY day ORDER BY day";
        await using var connection = await _source.OpenConnectionAsync(cancellationToken);
        await using var command = new NpgsqlCommand(sql, connection);
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

    public async Task<StatusChange[]> StatusChanges(string enterprise, string? terminal, DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken)
    {
        // The primary key (enterprise, terminal, ts, state) serves both halves: the range, and the last change before it.
        await using var connection = await _source.OpenConnectionAsync(cancellationToken);
        await using var command = new NpgsqlCommand("""
            SELECT terminal, ts, state FROM ib_terminal_status
            WHERE enterprise = $1 AND ($4::text IS NULL OR terminal = $4) AND ts >= $2 AND ts < $3
            UNION ALL
            SELECT terminal, ts, state FROM (
                SELECT DISTINCT ON (terminal) terminal, ts, state FROM ib_terminal_status
                WHERE enterprise = $1 AND ($4::text IS NULL OR terminal = $4) AND ts < $2
                ORDER BY terminal, ts DESC, state) before
            """, connection);
        command.Parameters.Add(new NpgsqlParameter { Value = enterprise });
        command.Parameters.Add(new NpgsqlParameter { Value = from.UtcDateTime });
        command.Parameters.Add(new NpgsqlParameter { Value = to.UtcDateTime });
        command.Parameters.Add(new NpgsqlParameter { Value = (object?)terminal ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text });
        var changes = new List<StatusChange>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            changes.Add(new StatusChange(reader.GetString(0), new DateTimeOffset(reader.GetDateTime(1), TimeSpan.Zero), reader.GetString(2)));
        }

        return [.. changes];
    }

    public async Task<bool> HasStatus(string enterprise, string? terminal, CancellationToken cancellationToken)
    {
        await using var connection = await _source.OpenConnectionAsync(cancellationToken);
        await using var command = new NpgsqlCommand(
            "SELECT EXISTS (SELECT 1 FROM ib_terminal_status WHERE enterprise = $1 AND ($2::text IS NULL OR terminal = $2))", connection);
        command.Parameters.Add(new NpgsqlParameter { Value = enterprise });
        command.Parameters.Add(new NpgsqlParameter { Value = (object?)terminal ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text });
        return (bool)(await command.ExecuteScalarAsync(cancellationToken))!;
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
