using IndustryBrain.Contracts;

namespace IndustryBrain.Domain;

/// <summary>One archived status change of a terminal: from <see cref="Ts"/> on, the terminal was in <see cref="State"/>.</summary>
public sealed record StatusChange(string Terminal, DateTimeOffset Ts, string State);

/// <summary>
/// A terminal's time on one district day: seconds running, idle, in fault, offline, and not known (before its
/// first status); availability = running / observed, observed being the seconds with a known status (null when none).
/// </summary>
public sealed record AvailabilityDay(string Terminal, DateOnly Date, double Running, double Idle, double Fault, double Offline, double Unknown, double? Availability)
{
    public double Observed => Running + Idle + Fault + Offline;
}

/// <summary>
/// Terminal availability per district day from the archived status changes. A status lasts until the terminal's
/// next one, so a status carried over midnight counts in both days, and the status in force when the range
/// begins (the last change before it) counts from the range's first instant. Today is counted up to now, not beyond.
/// </summary>
public static class TerminalAvailability
{
    /// <summary>The instant a district day begins (its local midnight, or the first valid local time after it).</summary>
    public static DateTimeOffset StartOf(DateOnly date, TimeZoneInfo zone)
    {
        var local = date.ToDateTime(TimeOnly.MinValue, DateTimeKind.Unspecified);
        while (zone.IsInvalidTime(local))
        {
            local = local.AddMinutes(15); // a daylight-saving gap at midnight
        }

        return new DateTimeOffset(TimeZoneInfo.ConvertTimeToUtc(local, zone), TimeSpan.Zero);
    }

    /// <param name="changes">Every terminal's changes within the range, and each terminal's last change before it; any order.</param>
    /// <param name="from">First district day.</param>
    /// <param name="to">Last district day (inclusive).</param>
    /// <param name="zone">District:TimeZone.</param>
    /// <param name="now">Nothing after it is counted.</param>
    /// <returns>One row per terminal (ordinal order) and day, for every day of the range.</returns>
    public static AvailabilityDay[] Compute(IEnumerable<StatusChange> changes, DateOnly from, DateOnly to, TimeZoneInfo zone, DateTimeOffset now)
    {
        var days = new (DateOnly Date, DateTimeOffset Start, DateTimeOffset End)[to.DayNumber - from.DayNumber + 1];
        for (var i = 0; i < days.Length; i++)
        {
            var date = from.AddDays(i);
            days[i] = (date, StartOf(date, zone), StartOf(date.AddDays(1), zone));
        }

        var rows = new List<AvailabilityDay>();
        foreach (var terminal in changes.GroupBy(c => c.Terminal, StringComparer.Ordinal).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            var ordered = terminal.OrderBy(c => c.Ts).ToArray();
            var first = 0; // the change in force when the day begins (days come in order, so this only moves on)
            foreach (var (date, start, end) in days)
            {
                while (first + 1 < ordered.Length && ordered[first + 1].Ts <= start)
                {
                    first++;
                }

                var until = end < now ? end : now;
                double running = 0, idle = 0, fault = 0, offline = 0;
                for (var i = first; i < ordered.Length && ordered[i].Ts < until; i++)
                {
                    // The state holds from its time until the next change (the last one until now).
                    var since = ordered[i].Ts > start ? ordered[i].Ts : start;
                    var next = i + 1 < ordered.Length ? ordered[i + 1].Ts : now;
                    var stop = next < until ? next : until;
                    if (stop <= since)
                    {
                        continue;
                    }

                    var seconds = (stop - since).TotalSeconds;
                    switch (ordered[i].State)
                    {
                        case TerminalStates.Running: running += seconds; break;
                        case TerminalStates.Idle: idle += seconds; break;
                        case TerminalStates.Fault: fault += seconds; break;
                        default: offline += seconds; break;
                    }
                }

                var observed = running + idle + fault + offline;
                var span = until > start ? (until - start).TotalSeconds : 0;
                rows.Add(new AvailabilityDay(terminal.Key, date, running, idle, fault, offline, Math.Max(0, span - observed),
                    observed > 0 ? running / observed : null));
            }
        }

        return [.. rows];
    }
}
