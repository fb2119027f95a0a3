using IndustryBrain.Contracts;

namespace IndustryBrain.Domain;

/// <summary>
/// OEE per link of the chain map: the ISO 22400 sums of the firms registered on the link that told their OEE for
/// today (a firm's board tells it as its terminals report), added up, so a link's availability, performance and
/// quality are those of all its machines together, not an average of averages. A link none of whose firms told has none.
/// </summary>
public static class ChainOee
{
    public static CockpitView Add(CockpitView view, IEnumerable<FirmOee> firms, IEnumerable<EnterpriseRollup> enterprises, DateOnly today)
    {
        var nodeOf = new Dictionary<string, string?>(StringComparer.Ordinal);
        foreach (var enterprise in enterprises)
        {
            nodeOf[enterprise.Enterprise] = enterprise.ChainNode;
        }

        var byNode = new Dictionary<string, OeeFigures>(StringComparer.Ordinal);
        foreach (var firm in firms)
        {
            if (firm.Date != today || !nodeOf.TryGetValue(firm.Enterprise, out var node) || node is null)
            {
                continue;
            }

            byNode[node] = byNode.TryGetValue(node, out var sum) ? sum.Add(firm.Oee) : firm.Oee;
        }

        if (byNode.Count == 0)
        {
            return view;
        }

        var nodes = view.Chain.Nodes.Select(n => byNode.TryGetValue(n.Id, out var oee) ? n with { Oee = oee } : n).ToArray();
        return view with { Chain = view.Chain with { Nodes = nodes } };
    }
}
