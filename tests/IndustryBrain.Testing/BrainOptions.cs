namespace IndustryBrain.Testing;

/// <summary>Where a test's brain runs: inside the test's own process, or as the built silo in a process of its own.</summary>
public enum BrainMode
{
    /// <summary>WebApplication + BrainHosting in this process: the cheapest start; a clean stop and a start again.</summary>
    InProcess,

    /// <summary><c>dotnet silo/bin/{Configuration}/net10.0/IndustryBrain.Silo.dll</c>: for a crash (SIGKILL), signals, its printed output.</summary>
    ChildProcess,
}

/// <summary>How to start a brain for a test or a benchmark; every field has the common test's value.</summary>
public sealed record BrainOptions
{
    public const string TestAdminKey = "test-admin-key";

    public BrainMode Mode { get; init; } = BrainMode.InProcess;

    /// <summary>Auth:AdminKey; null lets the silo make its own at the first start (and print it).</summary>
    public string? AdminKey { get; init; } = TestAdminKey;

    /// <summary>
    /// Whether terminals need MQTT credentials (the silo's own default). Off by default: test terminals
    /// publish without credentials; the security tests turn it on.
    /// </summary>
    public bool TerminalCredentials { get; init; }

    /// <summary>An external broker (Mqtt:Broker, e.g. a Mosquitto at mqtt://127.0.0.1:port); null runs the embedded broker.</summary>
    public string? Broker { get; init; }

    /// <summary>Storage:Path; null makes a fresh temporary folder. It is deleted when the brain is disposed, unless <see cref="KeepStorage"/>.</summary>
    public string? StoragePath { get; init; }

    /// <summary>Keep the store (and a log file in it) after the brain is disposed.</summary>
    public bool KeepStorage { get; init; }

    /// <summary>More command-line settings, after the launcher's own (a later one wins).</summary>
    public IReadOnlyList<string> Settings { get; init; } = [];

    /// <summary>Logging switches; empty keeps the silo's own logging defaults (what an operator sees).</summary>
    public IReadOnlyList<string> Logging { get; init; } = ["--Logging:LogLevel:Default=Warning"];

    /// <summary>Environment variables of the child process (OTLP endpoint, DOTNET_gcServer, ...).</summary>
    public IReadOnlyDictionary<string, string> Environment { get; init; } = new Dictionary<string, string>();

    /// <summary>The child process's working directory; null is the silo's own folder.</summary>
    public string? WorkingDirectory { get; init; }

    /// <summary>The endpoint that must answer 200 before the brain counts as started.</summary>
    public string ReadyPath { get; init; } = "/health";

    /// <summary>The silo to run as a child process; null is the one built beside these tests (<see cref="SiloBuild.Assembly"/>).</summary>
    public string? SiloAssembly { get; init; }

    /// <summary>A file that gets every line the brain writes, besides <see cref="Brain.Log"/>.</summary>
    public string? LogFile { get; init; }
}
