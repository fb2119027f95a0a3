using System.Globalization;
using IndustryBrain.Contracts;
using IndustryBrain.Domain;
using IndustryBrain.Silo.Archive;
using Microsoft.Extensions.Options;

namespace IndustryBrain.Silo.Api;

/// <summary>One terminal's time on one district day, in whole seconds; availability = running / observed (null when nothing was observed).</summary>
public sealed record AvailabilityFigures(DateOnly? Date, long Running, long Idle, long Fault, long Offline, long Unknown, long Observed, double? Availability)
{
    public static AvailabilityFigures Of(DateOnly? date, double running, double idle, double fault, double offline, double unknown)
    {
        var observed = running + idle + fault + offline;
        return new AvailabilityFigures(date, Seconds(running), Seconds(idle), Seconds(fault), Seconds(offline), Seconds(unknown), Seconds(observed),
            observed > 0 ? Math.Round(running / observed, 4) : null);
    }

    private static long Seconds(double seconds) => (long)Math.Round(seconds);
}

public sealed record TerminalAvailabilityHistory(string Terminal, AvailabilityFigures Total, AvailabilityFigures[] Days);

/// <summary>An enterprise's terminals' availability per district day over a range.</summary>
public sealed record AvailabilityHistory(string Enterprise, string? Terminal, DateOnly From, DateOnly To, string Definition, TerminalAvailabilityHistory[] Terminals);

/// <summary>
/// GET /api/history/enterprises/{e}/availability (docs/history.md): each terminal's seconds running, idle, in fault
/// and offline per district day, from the archived status changes; JSON or CSV. Under the enterprise's own path, so
/// a firm reads its own and officials read all (the access rule of /api/history/enterprises/{e}/...).
/// </summary>
public static class AvailabilityEndpoints
{
    public const string Definition = "availability = running / observed, observed = seconds with a known status (running + idle + fault + offline) "
        + "on the district day (District:TimeZone), up to now; a status lasts until the terminal's next one, so one carried over midnight counts in both days";

    public static void MapAvailability(this RouteGroupBuilder history)
    {
        history.MapGet("/enterprises/{enterprise}/availability", async (string enterprise, string? from, string? to, string? terminal, HttpContext context,
            IHistoryStore store, ArchiveWriter writer, IOptions<HistoryOptions> options, IGrainFactory grains, DistrictCalendar calendar, TimeProvider time) =>
        {
            if ((Ids.Problem(enterprise, "enterprise") ?? (terminal is null ? null : Ids.Problem(terminal, "terminal"))) is { } badId)
            {
                return Problems.BadRequest("invalid-id", badId);
            }

            var now = time.GetUtcNow();
            if (HistoryEndpoints.DayRange(from, to, options.Value.RetentionDays, calendar.DateOf(now), out var first, out var last) is { } badRange)
            {
                return badRange;
            }

            return await HistoryEndpoints.Answer(store, writer, options.Value, async cancellationToken =>
            {
                if (!await store.HasStatus(enterprise, terminal, cancellationToken))
                {
                    if (!await grains.GetGrain<IEnterpriseGrain>(enterprise).IsRegistered() && !await store.HasStatus(enterprise, null, cancellationToken))
                    {
                        return Problems.NotFound("unknown-enterprise", $"enterprise '{enterprise}' is not registered and the archive holds no status of its terminals");
                    }

                    if (terminal is not null)
                    {
                        return Problems.NotFound("unknown-terminal", $"the archive holds no status of terminal '{terminal}' of '{enterprise}'");
                    }
                }

                var since = TerminalAvailability.StartOf(first, calendar.Zone);
                var until = TerminalAvailability.StartOf(last.AddDays(1), calendar.Zone);
                var changes = await store.StatusChanges(enterprise, terminal, since, until, cancellationToken);
                var days = TerminalAvailability.Compute(changes, first, last, calendar.Zone, now);
                if (HistoryEndpoints.WantsCsv(context))
                {
                    return HistoryEndpoints.Csv($"availability-{enterprise}-{first:yyyyMMdd}-{last:yyyyMMdd}.csv",
                        "enterprise,terminal,date,running_s,idle_s,fault_s,offline_s,unknown_s,observed_s,availability",
                        days.Select(d => (d.Terminal, Figures: AvailabilityFigures.Of(d.Date, d.Running, d.Idle, d.Fault, d.Offline, d.Unknown)))
                            .Select(d => string.Join(',', HistoryEndpoints.Field(enterprise), HistoryEndpoints.Field(d.Terminal),
                                d.Figures.Date!.Value.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
                                HistoryEndpoints.Number(d.Figures.Running), HistoryEndpoints.Number(d.Figures.Idle), HistoryEndpoints.Number(d.Figures.Fault),
                                HistoryEndpoints.Number(d.Figures.Offline), HistoryEndpoints.Number(d.Figures.Unknown), HistoryEndpoints.Number(d.Figures.Observed),
                                d.Figures.Availability?.ToString("0.####", CultureInfo.InvariantCulture) ?? "")));
                }

                var terminals = days.GroupBy(d => d.Terminal, StringComparer.Ordinal)
                    .Select(g => new TerminalAvailabilityHistory(g.Key,
                        AvailabilityFigures.Of(null, g.Sum(d => d.Running), g.Sum(d => d.Idle), g.Sum(d => d.Fault), g.Sum(d => d.Offline), g.Sum(d => d.Unknown)),
                        [.. g.Select(d => AvailabilityFigures.Of(d.Date, d.Running, d.Idle, d.Fault, d.Offline, d.Unknown))]))
                    .ToArray();
                return Results.Ok(new AvailabilityHistory(enterprise, terminal, first, last, Definition, terminals));
            }, context.RequestAborted);
        })
        .WithSummary("An enterprise's terminals' seconds running, idle, in fault and offline per district day, and availability = running / observed (from/to: dates, default the last 30 days)")
        .Produces<AvailabilityHistory>()
        .Produces(StatusCodes.Status200OK, contentType: "text/csv")
        .ProducesProblem(StatusCodes.Status400BadRequest)
        .ProducesProblem(StatusCodes.Status404NotFound)
        .ProducesProblem(StatusCodes.Status503ServiceUnavailable);
    }
}
