using System.Text;
using IndustryBrain.Domain;

namespace IndustryBrain.Bench;

/// <summary>
/// The synthetic district a phase runs against: enterprises, each with orders on one 10-step knife
/// routing, and terminals counting steps (several per step when <see cref="TerminalsPerStep"/> &gt; 1).
/// Every terminal counts its step on every order of its enterprise.
/// </summary>
public sealed class Plant
{
    public static readonly (string Step, string Name)[] Routing =
    [
        ("blank", "下料"), ("forge", "锻打"), ("heat-treat", "热处理"), ("rough-grind", "粗磨"), ("fine-grind", "精磨"),
        ("edge", "开刃"), ("polish", "抛光"), ("laser-mark", "激光刻码"), ("qc", "质检"), ("pack", "包装"),
    ];

    public Plant(string orderPrefix, int enterprises, int ordersPerEnterprise, int terminalsPerStep)
    {
        OrderPrefix = orderPrefix + Run;
        Enterprises = enterprises;
        OrdersPerEnterprise = ordersPerEnterprise;
        TerminalsPerStep = terminalsPerStep;
        OrderUtf8 = new byte[ordersPerEnterprise][];
        for (var o = 0; o < ordersPerEnterprise; o++)
        {
            OrderUtf8[o] = Encoding.UTF8.GetBytes(OrderId(o));
        }

        StepUtf8 = [.. Routing.Select(r => Encoding.UTF8.GetBytes(r.Step))];
    }

    /// <summary>
    /// Unique to this bench process and part of every order id, so that runs against one archive (a PostgreSQL that
    /// outlives the silo) archive new readings, not resends of an earlier run's (counter, seq).
    /// </summary>
    public static string Run { get; } = Convert.ToHexString(System.Security.Cryptography.RandomNumberGenerator.GetBytes(3)).ToLowerInvariant();

    public string OrderPrefix { get; }

    public int Enterprises { get; }

    public int OrdersPerEnterprise { get; }

    public int TerminalsPerStep { get; }

    public static int Steps => Routing.Length;

    public long Orders => (long)Enterprises * OrdersPerEnterprise;

    /// <summary>One counter per (terminal, order): what one round of readings touches.</summary>
    public long Counters => Orders * Steps * TerminalsPerStep;

    /// <summary>Order ids are the same in every enterprise: the contract names an order by (enterprise, order).</summary>
    public byte[][] OrderUtf8 { get; }

    public byte[][] StepUtf8 { get; }

    public static string EnterpriseId(int e) => $"bench-{e:000}";

    public string OrderId(int o) => $"{OrderPrefix}-{o:000000}";

    public static string TerminalId(int step, int t) => $"{Routing[step].Step}-{t + 1:00}";

    /// <summary>A distinct valid USCC per enterprise (GB 32100-2015 check character).</summary>
    public static string UsccOf(int e)
    {
        var body = $"915001110{e:00000000}";
        return body + Uscc.CheckCharacter(body);
    }
}
