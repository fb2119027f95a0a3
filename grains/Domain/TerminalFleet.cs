using System.Globalization;
using IndustryBrain.Contracts;

namespace IndustryBrain.Domain;

/// <summary>
/// Which terminals one bulk credential request names: a list of terminal ids, or a prefix and a count
/// (<c>T</c>, 3 -> T1, T2, T3; numbers padded to the widest, so T0001 ... T8000 sort as they count).
/// </summary>
public static class TerminalFleet
{
    /// <summary>The most terminals one request may name: one request's hashing stays a few seconds of CPU.</summary>
    public const int MaxPerRequest = 10_000;

    /// <summary>The terminal ids, or the reason (invalid-id, invalid-field) and why the request names none; nothing is issued unless every id is valid.</summary>
    public static (string[] Terminals, string? Reason, string? Problem) Names(IReadOnlyList<string?>? terminals, string? prefix, int? count, int? start)
    {
        if (terminals is not null && (prefix is not null || count is not null || start is not null))
        {
            return ([], RejectReasons.InvalidField, "name the terminals either as a list (terminals) or as prefix and count, not both");
        }

        if (terminals is not null)
        {
            return List(terminals);
        }

        if (count is null)
        {
            return ([], RejectReasons.InvalidField, "name the terminals: terminals (a list of ids), or prefix and count");
        }

        if (count is < 1 or > MaxPerRequest)
        {
            return ([], RejectReasons.InvalidField, $"count must be 1 to {MaxPerRequest}");
        }

        var first = start ?? 1;
        if (first < 0 || first > int.MaxValue - count.Value)
        {
            return ([], RejectReasons.InvalidField, "start must be 0 or more");
        }

        var last = first + count.Value - 1;
        var width = last.ToString(CultureInfo.InvariantCulture).Length;
        var names = new string[count.Value];
        for (var i = 0; i < names.Length; i++)
        {
            names[i] = (prefix ?? "") + (first + i).ToString(CultureInfo.InvariantCulture).PadLeft(width, '0');
        }

        return Ids.Problem(names[0], "terminal") is { } bad ? ([], RejectReasons.InvalidId, bad) : (names, null, null);
    }

    private static (string[] Terminals, string? Reason, string? Problem) List(IReadOnlyList<string?> terminals)
    {
        if (terminals.Count is 0 or > MaxPerRequest)
        {
            return ([], RejectReasons.InvalidField, $"terminals must name 1 to {MaxPerRequest} terminals");
        }

        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < terminals.Count; i++)
        {
            if (Ids.Problem(terminals[i], "terminal") is { } bad)
            {
                return ([], RejectReasons.InvalidId, $"terminals[{i}]: {bad}");
            }

            if (!seen.Add(terminals[i]!))
            {
                return ([], RejectReasons.InvalidField, $"terminals[{i}]: terminal '{terminals[i]}' is named twice");
            }
        }

        return ([.. terminals.Select(t => t!)], null, null);
    }
}
