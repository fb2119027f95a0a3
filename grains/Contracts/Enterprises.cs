namespace IndustryBrain.Contracts;

/// <summary>An enterprise's registration as an administrator or the firm sends it.</summary>
[GenerateSerializer, Immutable, Alias("ib.EnterpriseProfile")]
public sealed record EnterpriseProfile(string Name, string Uscc, string? ChainNode, string? Park, string? Tier, string? ShopUrl = null);

[GenerateSerializer, Immutable, Alias("ib.Output")]
public sealed record Output(long Units, decimal Value)
{
    public static readonly Output Zero = new(0, 0m);

    public Output Add(long units, decimal value) => new(Units + units, Value + value);
}

[GenerateSerializer, Immutable, Alias("ib.DailyOutput")]
public sealed record DailyOutput(DateOnly Date, long Units, decimal Value);

[GenerateSerializer, Immutable, Alias("ib.EnterpriseView")]
public sealed record EnterpriseView(
    string Enterprise,
    EnterpriseProfile? Profile,
    DateOnly Today,
    Output OutputToday,
    int ActiveOrders,
    int TerminalsOnline,
    int TerminalsInFault,
    IReadOnlyDictionary<string, int> OrdersByStatus,
    TerminalStatus[] Terminals,
    DailyOutput[] Daily,
    DateTimeOffset? RegisteredAt,
    ProcurementRecord[] Procurement,
    decimal ProcurementSavings);
