using System.Diagnostics;
using System.Globalization;
using Npgsql;

namespace IndustryBrain.Testing;

/// <summary>
/// A throwaway PostgreSQL server: initdb into a folder (a temporary one by default), pg_ctl start on a free
/// port on 127.0.0.1 only (its unix socket in the same folder), stopped and deleted at the end. As root
/// the server runs as the unprivileged <c>postgres</c> user (PostgreSQL refuses to run as root). Nothing
/// depends on a system service. Binaries: IB_PG_BIN, or the newest /usr/lib/postgresql/*/bin. The tests
/// share one (a collection fixture); the history benchmark starts a durable one with its own settings.
/// </summary>
/// <param name="folder">Where its data and log go; null: a new temporary folder.</param>
/// <param name="durable">Whether writes are synced as in production (a benchmark); off for tests (fsync=off).</param>
/// <param name="settings">More server settings (<c>-c name=value ...</c>).</param>
public class PostgresServer(string? folder = null, bool durable = false, string settings = "")
{
    private const string User = "ib";
    private readonly string _folder = folder ?? Path.Combine(Path.GetTempPath(), "ib-pg-" + Guid.NewGuid().ToString("N")[..12]);
    private readonly string _bin = FindBin();
    private readonly string? _runAs = IsRoot() ? "postgres" : null;
    private int _databases;

    /// <summary>The folder of its data and server.log.</summary>
    public string Folder => _folder;

    public int Port { get; } = FreePort.Next();

    private string DataFolder => Path.Combine(_folder, "data");

    /// <summary>A connection string to the server's maintenance database (no password: trust on loopback only).</summary>
    public string AdminConnectionString => Connection("postgres");

    public string Connection(string database) =>
        $"Host=127.0.0.1;Port={Port};Username={User};Database={database};Pooling=true;Timeout=5;Command Timeout=60";

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(_folder);
        if (_runAs is not null)
        {
            await Run("chown", ["-R", _runAs, _folder]);
        }

        await Pg("initdb", ["-D", DataFolder, "-U", User, "--auth=trust", "-E", "UTF8", "--locale=C", .. durable ? Array.Empty<string>() : ["--no-sync"]]);
        await Start();
    }

    /// <summary>Starts the server (again) on the same port and data.</summary>
    public Task Start() => Pg("pg_ctl", ["-D", DataFolder, "-l", Path.Combine(_folder, "server.log"), "-w", "-t", "120", "-o",
        $"-p {Port} -k {_folder} -c listen_addresses=127.0.0.1 {(durable ? "" : "-c fsync=off -c full_page_writes=off ")}-c max_connections=200 {settings}", "start"]);

    /// <summary>Stops the server: "immediate" is a crash (recovered from the WAL at the next start), "fast" a clean stop.</summary>
    public Task Stop(string mode = "immediate") => Pg("pg_ctl", ["-D", DataFolder, "-m", mode, "-w", "-t", "120", "stop"]);

    /// <summary>A new, empty database for one test; answers its connection string.</summary>
    public async Task<string> NewDatabase()
    {
        var name = $"t{Interlocked.Increment(ref _databases)}_{Guid.NewGuid():N}"[..20];
        await using var connection = new NpgsqlConnection(Unpooled(AdminConnectionString));
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"CREATE DATABASE {name}", connection);
        await command.ExecuteNonQueryAsync();
        return Connection(name);
    }

    public static async Task<T> Scalar<T>(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(Unpooled(connectionString));
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return (T)Convert.ChangeType((await command.ExecuteScalarAsync())!, typeof(T), CultureInfo.InvariantCulture);
    }

    /// <summary>The tests' own connections are not pooled: a pooled one would not survive the server's restart.</summary>
    private static string Unpooled(string connectionString) => new NpgsqlConnectionStringBuilder(connectionString) { Pooling = false }.ConnectionString;

    /// <summary>Stops the server (a crash, as the tests' end) and deletes its folder.</summary>
    public async Task DisposeAsync()
    {
        try
        {
            await Stop();
        }
        catch (Exception)
        {
            // Already stopped.
        }

        try
        {
            Directory.Delete(_folder, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private static bool IsRoot()
    {
        try
        {
            return File.ReadAllText("/proc/self/status").Split('\n').FirstOrDefault(l => l.StartsWith("Uid:", StringComparison.Ordinal))
                ?.Split('\t', StringSplitOptions.RemoveEmptyEntries).ElementAtOrDefault(1) == "0";
        }
        catch (IOException)
        {
            return false;
        }
    }

    private static string FindBin()
    {
        if (Environment.GetEnvironmentVariable("IB_PG_BIN") is { Length: > 0 } bin)
        {
            return bin;
        }

        var versions = Directory.Exists("/usr/lib/postgresql")
            ? Directory.GetDirectories("/usr/lib/postgresql").Where(d => File.Exists(Path.Combine(d, "bin", "pg_ctl")))
                .OrderByDescending(d => int.TryParse(Path.GetFileName(d), out var v) ? v : 0).ToArray()
            : [];
        return versions.Length > 0
            ? Path.Combine(versions[0], "bin")
            : throw new InvalidOperationException("PostgreSQL is not installed (no /usr/lib/postgresql/*/bin/pg_ctl): run scripts/install-test-deps.sh, or set IB_PG_BIN");
    }

    private Task Pg(string tool, string[] args) =>
        _runAs is null ? Run(Path.Combine(_bin, tool), args) : Run("runuser", ["-u", _runAs, "--", Path.Combine(_bin, tool), .. args]);

    private async Task Run(string file, string[] args)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = _folder };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await process.WaitForExitAsync(timeout.Token);
        if (process.ExitCode != 0)
        {
            var log = Path.Combine(_folder, "server.log");
            throw new InvalidOperationException($"{Path.GetFileName(file)} {string.Join(' ', args)} exited with {process.ExitCode}: {await output}{await error}"
                + (File.Exists(log) ? "\n" + string.Join('\n', File.ReadLines(log).TakeLast(20)) : ""));
        }
    }
}
