using System.Globalization;
using System.Text;
using IndustryBrain.Contracts;
using IndustryBrain.Domain;
using IndustryBrain.Silo.Archive;
using IndustryBrain.Silo.Cockpit;
using Microsoft.Extensions.Options;

namespace IndustryBrain.Silo.Api;

/// <summary>An order's readings over time, one series per (step, terminal).</summary>
public sealed record TimelinePoint(DateTimeOffset Ts, int Run, long Seq, long Good, long Scrap);

public sealed record TimelineTerminal(string Terminal, TimelinePoint[] Points);

public sealed record TimelineStep(string Step, TimelineTerminal[] Terminals);

public sealed record OrderTimeline(string Enterprise, string Order, DateTimeOffset From, DateTimeOffset To, int Readings, bool Truncated, TimelineStep[] Steps);

/// <summary>
/// Output per district day over a range: of one enterprise, one chain node, or the district. <see cref="Source"/>: "archive",
/// or "grains" (the district's last 30 days while the archive is off or down, with a <see cref="Note"/> saying so).
/// </summary>
public sealed record OutputHistory(string Scope, string? Enterprise, string? Node, DateOnly From, DateOnly To, Output Total, DailyOutput[] Days,
    string Source = ArchivedTrend.FromArchive, string? Note = null);

/// <summary>
/// The history archive over HTTP (docs/history.md): an order's timeline and output per day, as JSON or CSV
/// (<c>Accept: text/csv</c> or <c>?format=csv</c>). Same access rule as the rest of /api.
/// </summary>
public static class HistoryEndpoints
{
    public const int DefaultLimit = 10_000;
    public const int MaxLimit = 100_000;

    public static void MapHistory(this IEndpointRouteBuilder app)
    {
        var history = app.MapGroup("/api/history").WithTags("History");

        history.MapGet("/enterprises/{enterprise}/orders/{order}/timeline", async (string enterprise, string order, string? from, string? to, int? limit,
            HttpContext context, IHistoryStore store, ArchiveWriter writer, IOptions<HistoryOptions> options, IGrainFactory grains, TimeProvider time) =>
        {
            if ((Ids.Problem(enterprise, "enterprise") ?? Ids.Problem(order, "order")) is { } badId)
            {
                return Problems.BadRequest("invalid-id", badId);
            }

            if (limit is < 1 or > MaxLimit)
            {
                return Problems.BadRequest("invalid-field", $"limit must be between 1 and {MaxLimit}");
            }

            var retention = options.Value.RetentionDays;
            var now = time.GetUtcNow();
            var badTime = Instant(from, "from", out var start);
            var badEnd = Instant(to, "to", out var end);
            if ((badTime ?? badEnd) is { } badInstant)
            {
                return badInstant;
            }

            var until = end ?? now.AddDays(1);
            var since = start ?? until.AddDays(-retention);
            if (RangeProblem(since, until, retention) is { } badRange)
            {
                return badRange;
            }

            return await Answer(store, writer, options.Value, async cancellationToken =>
            {
                if (!await store.HasOrder(enterprise, order, cancellationToken))
                {
                    return await grains.GetGrain<IEnterpriseGrain>(enterprise).IsRegistered()
                        ? Problems.NotFound("unknown-order", $"the archive holds no reading of order '{order}' of '{enterprise}'")
                        : Problems.NotFound("unknown-enterprise", $"enterprise '{enterprise}' is not registered and the archive holds none of its readings");
                }

                var take = limit ?? DefaultLimit;
                var rows = await store.Timeline(enterprise, order, since, until, take + 1, cancellationToken);
                var truncated = rows.Length > take;
                if (truncated)
                {
                    rows = rows[..take];
                }

                if (WantsCsv(context))
                {
                    return Csv($"{enterprise}-{order}-timeline.csv", "enterprise,order,step,terminal,run,seq,good,scrap,ts",
                        rows.Select(r => string.Join(',', Field(enterprise), Field(order), Field(r.Step), Field(r.Terminal),
                            Number(r.Run), Number(r.Seq), Number(r.Good), Number(r.Scrap), r.Ts.ToString("O", CultureInfo.InvariantCulture))));
                }

                var steps = rows.GroupBy(r => r.Step, StringComparer.Ordinal).OrderBy(g => g.Key, StringComparer.Ordinal)
                    .Select(step => new TimelineStep(step.Key, [.. step.GroupBy(r => r.Terminal, StringComparer.Ordinal).OrderBy(g => g.Key, StringComparer.Ordinal)
                        .Select(terminal => new TimelineTerminal(terminal.Key, [.. terminal.Select(r => new TimelinePoint(r.Ts, r.Run, r.Seq, r.Good, r.Scrap))]))]))
                    .ToArray();
                return Results.Ok(new OrderTimeline(enterprise, order, since, until, rows.Length, truncated, steps));
            }, context.RequestAborted);
        })
        .WithSummary("An order's archived readings, per step and terminal, oldest first (from/to: RFC 3339 or dates; default the whole retention)")
        .Produces<OrderTimeline>()
        .Produces(StatusCodes.Status200OK, contentType: "text/csv")
        .ProducesProblem(StatusCodes.Status400BadRequest)
        .ProducesProblem(StatusCodes.Status404NotFound)
        .ProducesProblem(StatusCodes.Status503ServiceUnavailable);

        history.MapGet("/output", async (string? from, string? to, string? enterprise, string? node, HttpContext context,
            IHistoryStore store, ArchiveWriter writer, IOptions<HistoryOptions> options, IGrainFactory grains, DistrictCalendar calendar, TimeProvider time) =>
        {
            if (enterprise is not null && node is not null)
            {
                return Problems.BadRequest("invalid-field", "ask for one enterprise or one chain node, not both");
            }

            if (((enterprise is null ? null : Ids.Problem(enterprise, "enterprise")) ?? (node is null ? null : Ids.Problem(node, "node"))) is { } badId)
            {
                return Problems.BadRequest("invalid-id", badId);
            }

            if (DayRange(from, to, options.Value.RetentionDays, calendar.DateOf(time.GetUtcNow()), out var first, out var last) is { } badRange)
            {
                return badRange;
            }

            if (enterprise is not null && !await grains.GetGrain<IEnterpriseGrain>(enterprise).IsRegistered())
            {
                return Problems.NotFound("unknown-enterprise", $"enterprise '{enterprise}' is not registered");
            }

            if (node is not null && !(await grains.GetGrain<IDistrictGrain>(Keys.District).GetChain()).Nodes.Any(n => n.Id == node))
            {
                return Problems.NotFound("unknown-node", $"'{node}' is not a node of the district's chain map");
            }

            // The district's last 30 days are also the district grain's own: when the archive is off or down they come from
            // there, and the answer says so (source "grains" and a note) rather than failing.
            var today = calendar.DateOf(time.GetUtcNow());
            var grainDays = enterprise is null && node is null && first >= today.AddDays(-(DistrictTally.HistoryDays - 1)) && last <= today;
            if (grainDays && (!options.Value.Enabled || writer.State == "down"))
            {
                return await FromGrains(grains, context, first, last, options.Value.Enabled
                    ? $"the history archive is down ({writer.Reason}): the district grain's own days, recorded output included"
                    : "the history archive is off (History:Enabled=false): the district grain's own days, recorded output included");
            }

            var answer = await Answer(store, writer, options.Value, async cancellationToken =>
            {
                var figures = (await store.Output(first, last, enterprise, node, cancellationToken)).ToDictionary(d => d.Date);
                var days = new DailyOutput[last.DayNumber - first.DayNumber + 1];
                for (var i = 0; i < days.Length; i++)
                {
                    var date = first.AddDays(i);
                    days[i] = figures.TryGetValue(date, out var figure) ? new DailyOutput(date, figure.Units, figure.Value) : new DailyOutput(date, 0, 0m);
                }

                return Days(context, enterprise is not null ? "enterprise" : node is not null ? "node" : "district", enterprise, node, first, last, days, ArchivedTrend.FromArchive, null);
            }, context.RequestAborted);
            return grainDays && answer is IStatusCodeHttpResult { StatusCode: StatusCodes.Status503ServiceUnavailable }
                ? await FromGrains(grains, context, first, last, "the history archive is not answering: the district grain's own days, recorded output included")
                : answer;
        })
        .WithSummary("Output units and value per district day (from/to: dates, default the last 30 days) of one enterprise, one chain node or the district")
        .Produces<OutputHistory>()
        .Produces(StatusCodes.Status200OK, contentType: "text/csv")
        .ProducesProblem(StatusCodes.Status400BadRequest)
        .ProducesProblem(StatusCodes.Status404NotFound)
        .ProducesProblem(StatusCodes.Status503ServiceUnavailable);

        history.MapAvailability();
    }

    private static async Task<IResult> FromGrains(IGrainFactory grains, HttpContext context, DateOnly first, DateOnly last, string note)
    {
        var view = await grains.GetGrain<IDistrictGrain>(Keys.District).GetCockpit();
        var days = view.Daily.Where(d => d.Date >= first && d.Date <= last).ToArray();
        return Days(context, "district", null, null, first, last, days, ArchivedTrend.FromGrains, note);
    }

    private static IResult Days(HttpContext context, string scope, string? enterprise, string? node, DateOnly first, DateOnly last, DailyOutput[] days, string source, string? note)
    {
        if (WantsCsv(context))
        {
            return Csv($"output-{enterprise ?? node ?? "district"}-{first:yyyyMMdd}-{last:yyyyMMdd}.csv", "date,units,value",
                days.Select(d => string.Join(',', d.Date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), Number(d.Units), d.Value.ToString(CultureInfo.InvariantCulture))));
        }

        var total = new Output(days.Sum(d => d.Units), days.Sum(d => d.Value));
        return Results.Ok(new OutputHistory(scope, enterprise, node, first, last, total, days, source, note));
    }

    /// <summary>A range of district days from optional dates (default the last 30 days up to today), or why not.</summary>
    internal static IResult? DayRange(string? from, string? to, int retentionDays, DateOnly today, out DateOnly first, out DateOnly last)
    {
        first = last = today;
        var badFrom = Date(from, "from", out var start);
        var badTo = Date(to, "to", out var end);
        if ((badFrom ?? badTo) is { } badDate)
        {
            return badDate;
        }

        last = end ?? today;
        first = start ?? last.AddDays(-29);
        if (first > last)
        {
            return Problems.BadRequest("range-reversed", $"from {first:yyyy-MM-dd} is after to {last:yyyy-MM-dd}");
        }

        return last.DayNumber - first.DayNumber + 1 > retentionDays
            ? Problems.BadRequest("range-too-long", $"{last.DayNumber - first.DayNumber + 1} days asked; the archive keeps {retentionDays} (History:RetentionDays)")
            : null;
    }

    /// <summary>Runs a query; a database that is off, not ready or unreachable answers 503 with a reason (and no connection string).</summary>
    internal static async Task<IResult> Answer(IHistoryStore store, ArchiveWriter writer, HistoryOptions options, Func<CancellationToken, Task<IResult>> query, CancellationToken cancellationToken)
    {
        if (!options.Enabled)
        {
            return Problems.Of(StatusCodes.Status503ServiceUnavailable, "history-off", "the history archive is turned off (History:Enabled=false)");
        }

        if (!writer.Ready)
        {
            return Problems.Of(StatusCodes.Status503ServiceUnavailable, "history-unavailable",
                $"the history archive's {store.Backend} database is not ready yet: {writer.Reason ?? "its schema is being created"}");
        }

        try
        {
            return await query(cancellationToken);
        }
        catch (Exception e) when (store.IsUnavailable(e) && !cancellationToken.IsCancellationRequested)
        {
            return Problems.Of(StatusCodes.Status503ServiceUnavailable, "history-unavailable",
                $"the history archive's {store.Backend} database is not answering ({e.GetType().Name}); the brain keeps ingesting and archives what it missed when the database is back");
        }
    }

    private static IResult? RangeProblem(DateTimeOffset from, DateTimeOffset to, int retentionDays)
    {
        if (from > to)
        {
            return Problems.BadRequest("range-reversed", $"from {from:O} is after to {to:O}");
        }

        // A day of slack for the default 'to' (tomorrow), so the default range is always allowed.
        return to - from > TimeSpan.FromDays(retentionDays + 1)
            ? Problems.BadRequest("range-too-long", $"{(to - from).TotalDays:F1} days asked; the archive keeps {retentionDays} (History:RetentionDays)")
            : null;
    }

    /// <summary>RFC 3339, or a date (its start, UTC).</summary>
    private static IResult? Instant(string? text, string name, out DateTimeOffset? value)
    {
        value = null;
        if (text is null)
        {
            return null;
        }

        if (DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var instant)
            && instant.Year is >= 1970 and <= 9000)
        {
            value = instant;
            return null;
        }

        return Problems.BadRequest("invalid-field", $"{name} must be an RFC 3339 time or a date (yyyy-MM-dd) between 1970 and 9000");
    }

    internal static IResult? Date(string? text, string name, out DateOnly? value)
    {
        value = null;
        if (text is null)
        {
            return null;
        }

        if (DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date)
            && date.Year is >= 1970 and <= 9000)
        {
            value = date;
            return null;
        }

        return Problems.BadRequest("invalid-field", $"{name} must be a date (yyyy-MM-dd) between 1970 and 9000");
    }

    internal static bool WantsCsv(HttpContext context) =>
        string.Equals(context.Request.Query["format"], "csv", StringComparison.OrdinalIgnoreCase)
        || context.Request.Headers.Accept.Any(a => a is not null && a.Contains("text/csv", StringComparison.OrdinalIgnoreCase));

    internal static IResult Csv(string fileName, string header, IEnumerable<string> lines)
    {
        var text = new StringBuilder(header).Append('\n');
        foreach (var line in lines)
        {
            text.Append(line).Append('\n');
        }

        return Results.File(Encoding.UTF8.GetBytes(text.ToString()), "text/csv; charset=utf-8", fileName);
    }

    internal static string Number(long value) => value.ToString(CultureInfo.InvariantCulture);

    /// <summary>Ids are of [A-Za-z0-9._-] (the contract), so none needs quoting; quoted anyway if one ever does.</summary>
    internal static string Field(string value) =>
        value.AsSpan().IndexOfAny(",\"\n\r") < 0 ? value : "\"" + value.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
}
