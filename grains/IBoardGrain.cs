using IndustryBrain.Contracts;

namespace IndustryBrain;

/// <summary>A firm's dispatch board (数字指控调度中心), key "{enterprise}": what its orders, terminals and ERP documents tell it.</summary>
[Alias("ib.IBoardGrain")]
public interface IBoardGrain : IGrainWithStringKey
{
    /// <summary>An order's latest figures (replacing what the board knew) and the pieces its terminals counted since it last told.</summary>
    [Alias("ReportOrder")]
    Task ReportOrder(BoardLine line, TerminalCount[] counted);

    [Alias("UpdateTerminals")]
    Task UpdateTerminals(TerminalStatus[] statuses);

    /// <summary>The firm's sales and finance as its ERP documents stand (replacing what the board knew).</summary>
    [Alias("ReportSales")]
    Task ReportSales(SalesFigures sales);

    [Alias("SetShifts")]
    Task<ShiftCalendar> SetShifts(ShiftCalendar shifts);

    /// <summary>
    /// The board, or null when nothing changed since <paramref name="knownVersion"/> and the view is younger than
    /// <c>BoardGrain.FreshFor</c> (rates, states' ages and late orders change with time alone). -1 always answers.
    /// </summary>
    [Alias("GetBoard")]
    Task<BoardView?> GetBoard(long knownVersion);
}
