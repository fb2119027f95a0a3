using IndustryBrain.Contracts;
using IndustryBrain.Domain;

namespace IndustryBrain.Codes;

/// <summary>
/// The cockpit's counterfeit alerts: one per enterprise prefix with suspect scans on the view's day (forged or
/// never issued codes of that firm), most suspect scans first, ahead of the other alerts.
/// </summary>
public static class CounterfeitAlerts
{
    public static CockpitView Add(CockpitView view, IEnumerable<CodeScanRollup> scans, DistrictTally tally, int maxAlerts)
    {
        var today = scans.Where(s => s.Date == view.Today && s.Suspect > 0).OrderByDescending(s => s.Suspect).ThenBy(s => s.Prefix, StringComparer.Ordinal).ToList();
        if (today.Count == 0)
        {
            return view;
        }

        var names = tally.Enterprises.Where(e => today.Any(s => s.Enterprise == e.Enterprise)).ToDictionary(e => e.Enterprise, e => e.Name, StringComparer.Ordinal);
        var alerts = today.Select(s => new Alert(AlertKinds.CounterfeitScans, s.Enterprise, names.GetValueOrDefault(s.Enterprise), null, null, null, null, null, null,
            s.AsOf, s.Scans, s.Suspect, s.LastSuspect));
        return view with
        {
            Alerts = [.. alerts.Concat(view.Alerts).Take(maxAlerts)],
            AlertsTotal = view.AlertsTotal + today.Count,
        };
    }
}
