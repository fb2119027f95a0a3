using System.Globalization;

namespace IndustryBrain.Bench;

/// <summary>The bench's switches; --quick shrinks every phase to seconds for a smoke check.</summary>
public sealed class Settings
{
    public const string Usage = """
        usage: IndustryBrain.Bench [--quick] [--phases baseline,single,arrays,memory]
                                   [--rounds N] [--connections N] [--lanes N] [--rate-orders N] [--memory-orders N] [--array-readings N]
                                   [--memory-unplanned] [--gc-server 0|1] [--silo-env NAME=VALUE]... [--baseline-qos 0|1]
                                   [--silo PATH] [--keep]
          --quick             small version of every phase (seconds)
          --phases            which phases to run (default all)
          --rounds            alternating baseline and brain rounds at 1 reading/msg (default 3; the verdict is on the median ratio)
          --connections       MQTT connections of the publisher (default 50)
          --lanes             PUBACK-awaiting loops per connection (default 4)
          --rate-orders       orders per enterprise in the rate phases (default 400, 5 enterprises)
          --memory-orders     orders activated in the memory phase (default 100000; a multiple of 1000)
          --array-readings    readings of the arrays phase, in 100-reading arrays (default 3000000)
          --memory-unplanned  send readings only; do not plan the memory phase's orders over HTTP
          --gc-server         set DOTNET_gcServer for the silo (default: the silo's own setting, server GC)
          --silo-env          an environment variable for the silo process, e.g. DOTNET_ThreadPool_UnfairSemaphoreSpinLimit=0
          --baseline-qos      QoS of the bare broker's subscription (default 1)
          --silo PATH         the silo's IndustryBrain.Silo.dll (default silo/bin/<configuration>/net10.0)
          --keep              keep each silo's temp folder and silo.log
        """;

    private int? _rateOrders;

    public bool Quick { get; private set; }

    public bool Help { get; private set; }

    public HashSet<string> Phases { get; private set; } = ["baseline", "single", "arrays", "memory"];

    public int Connections { get; private set; } = 50;

    public int Lanes { get; private set; } = 4;

    private int? _rounds;

    /// <summary>Alternating baseline and brain rounds at one reading per message (default 3, 1 with --quick).</summary>
    public int Rounds => _rounds ?? (Quick ? 1 : 3);

    public int MemoryOrders { get; private set; } = 100_000;

    public bool PlanMemoryOrders { get; private set; } = true;

    public string? GcServer { get; private set; }

    /// <summary>Extra environment variables for the silo process (--silo-env NAME=VALUE), for experiments.</summary>
    public Dictionary<string, string> SiloEnvironment { get; } = [];

    public int BaselineQos { get; private set; } = 1;

    public string? Silo { get; private set; }

    /// <summary>Rate phases: enterprises x orders, one terminal per step (so one connection per terminal at 50).</summary>
    public int RateEnterprises => 5;

    public int RateOrdersPerEnterprise => _rateOrders ?? (Quick ? 40 : 400);

    /// <summary>Readings per counter at one reading per message: 20,000 counters x 20 = 400,000 messages.</summary>
    public int SingleRounds => Math.Max(1, (Quick ? 10_000 : 400_000) / (RateEnterprises * RateOrdersPerEnterprise * Plant.Steps));

    private int? _arrayTotal;

    /// <summary>Readings per counter with 100-reading arrays: 20,000 counters x 150 = 3,000,000 readings (--array-readings).</summary>
    public int ArrayRounds => Math.Max(1, (_arrayTotal ?? (Quick ? 50_000 : 3_000_000)) / (RateEnterprises * RateOrdersPerEnterprise * Plant.Steps));

    public int ArrayReadings => 100;

    /// <summary>Memory phase: 1,000 orders per enterprise, 3 terminals on each of the 10 steps.</summary>
    public int MemoryOrdersPerEnterprise => Quick ? 100 : 1_000;

    public int MemoryEnterprises => Math.Max(1, (Quick ? 1_000 : MemoryOrders) / MemoryOrdersPerEnterprise);

    public int MemoryTerminalsPerStep => 3;

    public int MemorySample => Quick ? 100 : 1_000;

    public static Settings Parse(string[] args)
    {
        var settings = new Settings();
        for (var i = 0; i < args.Length; i++)
        {
            string Value() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
            int Number() => int.TryParse(Value(), NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n > 0
                ? n : throw new ArgumentException($"{args[i]} needs a positive whole number");
            switch (args[i])
            {
                case "--quick":
                    settings.Quick = true;
                    break;
                case "--help" or "-h":
                    settings.Help = true;
                    break;
                case "--phases":
                    settings.Phases = [.. Value().Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)];
                    if (settings.Phases.Except(["baseline", "single", "arrays", "memory"]).FirstOrDefault() is { } unknown)
                    {
                        throw new ArgumentException($"unknown phase '{unknown}'");
                    }

                    break;
                case "--connections":
                    settings.Connections = Number();
                    break;
                case "--lanes":
                    settings.Lanes = Number();
                    break;
                case "--array-readings":
                    settings._arrayTotal = Number();
                    break;
                case "--rounds":
                    settings._rounds = Number();
                    break;
                case "--rate-orders":
                    settings._rateOrders = Number();
                    break;
                case "--memory-orders":
                    settings.MemoryOrders = Number();
                    break;
                case "--memory-unplanned":
                    settings.PlanMemoryOrders = false;
                    break;
                case "--gc-server":
                    settings.GcServer = Value() is "0" or "1" ? args[i] : throw new ArgumentException("--gc-server takes 0 or 1");
                    break;
                case "--silo-env":
                    var pair = Value().Split('=', 2);
                    settings.SiloEnvironment[pair[0]] = pair.Length == 2 ? pair[1] : throw new ArgumentException("--silo-env takes NAME=VALUE");
                    break;
                case "--baseline-qos":
                    settings.BaselineQos = Value() is "0" or "1" ? int.Parse(args[i], CultureInfo.InvariantCulture) : throw new ArgumentException("--baseline-qos takes 0 or 1");
                    break;
                case "--silo":
                    settings.Silo = Value();
                    break;
                case "--keep":
                    BenchBrain.Keep = true;
                    break;
                default:
                    throw new ArgumentException($"unknown switch {args[i]}");
            }
        }

        return settings;
    }
}
