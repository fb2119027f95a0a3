namespace IndustryBrain.Contracts;

/// <summary>One routing step of an order as its order tells the board: counts and the step's recent rate.</summary>
[GenerateSerializer, Immutable, Alias("ib.BoardStep")]
public sealed record BoardStep(string Step, string? Name, long Good, long Scrap, double Progress, double? RatePerHour, double? IdealRatePerHour);

/// <summary>What an order tells its firm's dispatch board: its figures and each step's (replacing what the board knew).</summary>
[GenerateSerializer, Immutable, Alias("ib.BoardLine")]
public sealed record BoardLine(
    string Order,
    string Status,
    string? Product,
    long? Quantity,
    decimal UnitPrice,
    DateTimeOffset? Due,
    double Progress,
    long Completed,
    DateTimeOffset? Eta,
    BoardStep[] Steps,
    DateTimeOffset AsOf);

/// <summary>Pieces a terminal counted for one order and step since the order last told the board (a delta, at the reading's time).</summary>
[GenerateSerializer, Immutable, Alias("ib.TerminalCount")]
public sealed record TerminalCount(string Terminal, string Order, string Step, long Good, long Scrap, DateTimeOffset At, double? IdealRatePerHour);

/// <summary>One shift of a firm's calendar: local times "HH:mm" in the district's time zone; an end not after the start ends the next day.</summary>
[GenerateSerializer, Immutable, Alias("ib.Shift")]
public sealed record Shift(string Start, string End, string[]? Days = null);

/// <summary>A firm's shift calendar: its planned busy time for availability (ISO 22400).</summary>
[GenerateSerializer, Immutable, Alias("ib.ShiftCalendar")]
public sealed record ShiftCalendar(Shift[] Shifts)
{
    /// <summary>Until a firm sets its own: one day shift, 08:00 to 20:00, every day.</summary>
    public static readonly ShiftCalendar Default = new([new Shift("08:00", "20:00")]);
}

/// <summary>
/// The sums OEE is made of (ISO 22400): planned busy time, actual running time within it, the ideal time of the
/// pieces made (pieces x ideal cycle time), good and scrap pieces. Sums add up over terminals, steps, orders and firms.
/// </summary>
[GenerateSerializer, Immutable, Alias("ib.OeeFigures")]
public sealed record OeeFigures(double PlannedSeconds, double RunningSeconds, double IdealSeconds, long Good, long Scrap)
{
    public static readonly OeeFigures Zero = new(0, 0, 0, 0, 0);

    /// <summary>Running time over planned busy time.</summary>
    public double? Availability => PlannedSeconds > 0 ? Math.Round(RunningSeconds / PlannedSeconds, 4) : null;

    /// <summary>Ideal time of the pieces made over running time (above 1 means the ideal rate is set too low).</summary>
    public double? Performance => RunningSeconds > 0 && IdealSeconds > 0 ? Math.Round(IdealSeconds / RunningSeconds, 4) : null;

    /// <summary>Good pieces over all pieces made.</summary>
    public double? Quality => Good + Scrap > 0 ? Math.Round((double)Good / (Good + Scrap), 4) : null;

    public double? Oee => Availability is { } a && Performance is { } p && Quality is { } q ? Math.Round(a * p * q, 4) : null;

    public OeeFigures Add(OeeFigures other) => new(PlannedSeconds + other.PlannedSeconds, RunningSeconds + other.RunningSeconds,
        IdealSeconds + other.IdealSeconds, Good + other.Good, Scrap + other.Scrap);
}

/// <summary>The step whose rate sets an order's finish: its rate, the rate needed to finish by the due time, and when it would finish.</summary>
[GenerateSerializer, Immutable, Alias("ib.BottleneckStep")]
public sealed record BottleneckStep(string Step, string? Name, long Remaining, double? RatePerHour, double? NeededRatePerHour, DateTimeOffset? FinishesAt);

[GenerateSerializer, Immutable, Alias("ib.BoardOrderStep")]
public sealed record BoardOrderStep(string Step, string? Name, long Good, long Scrap, double Progress, double? RatePerHour, OeeFigures? Oee);

/// <summary>An active order on the board: its steps, its status and why (the bottleneck), the customers it serves.</summary>
[GenerateSerializer, Immutable, Alias("ib.BoardOrder")]
public sealed record BoardOrder(
    string Order,
    string Status,
    string? Product,
    long? Quantity,
    DateTimeOffset? Due,
    double Progress,
    long Completed,
    DateTimeOffset? Eta,
    BoardOrderStep[] Steps,
    BottleneckStep? Bottleneck,
    OeeFigures? Oee,
    string[] Customers);

/// <summary>A terminal on the board: its state and since when, the step it counts for, its rate over the last 10 minutes, today's OEE.</summary>
[GenerateSerializer, Immutable, Alias("ib.BoardTerminal")]
public sealed record BoardTerminal(
    string Terminal,
    string? State,
    string? Fault,
    DateTimeOffset? Since,
    string? Step,
    string? Order,
    double RatePerHour,
    long GoodToday,
    long ScrapToday,
    OeeFigures Oee);

/// <summary>The terminals of one step and the step's OEE today.</summary>
[GenerateSerializer, Immutable, Alias("ib.BoardStepGroup")]
public sealed record BoardStepGroup(string Step, string? Name, BoardTerminal[] Terminals, OeeFigures Oee);

/// <summary>A firm's sales and finance from its ERP documents.</summary>
[GenerateSerializer, Immutable, Alias("ib.SalesFigures")]
public sealed record SalesFigures(
    int SalesOrders,
    decimal OrderedValue,
    decimal ShippedValue,
    decimal InvoicedValue,
    decimal ReceivedValue,
    decimal OrderedToday,
    IReadOnlyDictionary<string, string[]> CustomersByOrder)
{
    public static readonly SalesFigures None = new(0, 0, 0, 0, 0, 0, new Dictionary<string, string[]>());
}

/// <summary>A firm's dispatch board (数字指控调度中心) as its page draws it.</summary>
[GenerateSerializer, Immutable, Alias("ib.BoardView")]
public sealed record BoardView(
    string Enterprise,
    string? Name,
    long Version,
    DateTimeOffset AsOf,
    DateOnly Today,
    Output OutputToday,
    Output OutputYesterday,
    int DoneThisWeek,
    int ActiveOrders,
    double StepsDone,
    BoardOrder[] Orders,
    BoardStepGroup[] Steps,
    OeeFigures Oee,
    SalesFigures Sales,
    ShiftCalendar Shifts);
