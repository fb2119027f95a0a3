namespace IndustryBrain.Client.Simulator;

/// <summary>What to simulate and where: enterprises, terminals, orders, and how readings are sent.</summary>
public sealed record SimulationOptions
{
    /// <summary>The brain's HTTP address.</summary>
    public Uri Api { get; init; } = new("http://127.0.0.1:8080");

    /// <summary>The API key sent as <c>Authorization: Bearer</c>; none when null.</summary>
    public string? Key { get; init; }

    /// <summary>The broker terminals publish to (mqtt://host:port).</summary>
    public Uri Mqtt { get; init; } = new("mqtt://127.0.0.1:1883");

    public string? Username { get; init; }

    public string? Password { get; init; }

    /// <summary>
    /// Ask the brain for each terminal's own MQTT credential (docs/contract.md, "Security") and connect every
    /// terminal on its own connection with it, instead of the shared <see cref="Username"/>.
    /// </summary>
    public bool TerminalCredentials { get; init; }

    public int Enterprises { get; init; } = 5;

    /// <summary>Terminals per enterprise; each counts one step of one order.</summary>
    public int Terminals { get; init; } = 10;

    /// <summary>Orders per enterprise.</summary>
    public int Orders { get; init; } = 3;

    /// <summary>Fresh readings per second over all terminals; 0 sends flat out.</summary>
    public double Rate { get; init; } = 1_000;

    /// <summary>How long to publish; null means until <see cref="Readings"/> are sent.</summary>
    public TimeSpan? Duration { get; init; }

    /// <summary>How many fresh readings to send in all; null means until <see cref="Duration"/> ends.</summary>
    public long? Readings { get; init; }

    /// <summary>Readings per message (a JSON array when above 1); at most 1,000.</summary>
    public int Batch { get; init; } = 1;

    /// <summary>The fraction of messages that are followed by a resend of an older message of the same terminal.</summary>
    public double Duplicates { get; init; }

    /// <summary>Shuffle each connection's messages within a window of <see cref="ReorderWindow"/>.</summary>
    public bool Reorder { get; init; }

    public int ReorderWindow { get; init; } = 16;

    /// <summary>The chance per reading that a terminal's counter is reset: it starts a new run from zero.</summary>
    public double Resets { get; init; }

    /// <summary>At most this many MQTT connections; terminals share them beyond it (topics stay per terminal).</summary>
    public int MaxConnections { get; init; } = 200;

    /// <summary>Unacknowledged QoS 1 publishes a connection may have at once.</summary>
    public int InFlight { get; init; } = 32;

    /// <summary>Socket send and receive buffers of each MQTT connection (MQTTnet's default is 8 KiB).</summary>
    public int SocketBuffer { get; init; } = 256 * 1024;

    /// <summary>How long to poll the API before declaring a mismatch.</summary>
    public TimeSpan VerifyTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>Enterprise ids begin with this; unique per run by default so runs never share counters.</summary>
    public string Prefix { get; init; } = DefaultPrefix();

    /// <summary>Seed of the simulation's randomness; the same seed gives the same firms, orders and readings.</summary>
    public int Seed { get; init; } = 2611;

    /// <summary>Where progress lines go; nowhere when null.</summary>
    public TextWriter? Log { get; init; }

    /// <summary>Null when the options make sense; otherwise why not.</summary>
    public string? Problem()
    {
        if (Enterprises is < 1 or > 100_000 || Terminals is < 1 or > 100_000 || Orders is < 1 or > 10_000)
        {
            return "enterprises, terminals and orders must each be at least 1";
        }

        if (Rate < 0 || Batch is < 1 or > 1_000 || Duplicates is < 0 or > 1 || Resets is < 0 or > 1)
        {
            return "rate must be >= 0, batch 1 to 1000, duplicates and resets fractions between 0 and 1";
        }

        if (TerminalCredentials && Enterprises * (long)Terminals > MaxConnections)
        {
            return "with terminal credentials every terminal needs its own connection: raise the connection cap";
        }

        if (Duration is null && Readings is null)
        {
            return "give a duration, a number of readings, or both";
        }

        if (Duration <= TimeSpan.Zero || Readings <= 0 || MaxConnections < 1 || InFlight < 1 || ReorderWindow < 2)
        {
            return "duration, readings, connections, in-flight and reorder window must be positive";
        }

        return Domain.Ids.Problem(Prefix, "prefix") ?? (Prefix.Length > 48 ? "prefix is longer than 48 characters" : null);
    }

    /// <summary>"sim" and the current time in base 36: a fresh prefix every second.</summary>
    public static string DefaultPrefix()
    {
        const string digits = "0123456789abcdefghijklmnopqrstuvwxyz";
        var value = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var text = new Stack<char>();
        do
        {
            text.Push(digits[(int)(value % 36)]);
            value /= 36;
        }
        while (value > 0);
        return "sim" + new string([.. text]);
    }
}
