using IndustryBrain.Contracts;

namespace IndustryBrain.Silo.Security;

/// <summary>
/// Who may do what on the HTTP API (docs/contract.md, "Security"), decided from the method, the request's path
/// segments and the caller's role alone, so that every endpoint under /api is covered, including those
/// added later:
/// <list type="bullet">
/// <item>admin: everything.</item>
/// <item>official: reads (GET, HEAD) everything except the key registry and the broker's credential files.</item>
/// <item>anyone, without a key: resolving identifiers and scanning codes (<see cref="IsPublic"/>).</item>
/// <item>enterprise:{id}: reads its own profile; reads the code templates; anything under /api/enterprises/{id}/ (its orders, its
/// terminals' credentials); reads bundles (public within the district); reads, places and withdraws its own
/// pledge at /api/bundles/{bundle}/pledges/{id}; reads the reject log filtered to itself; reads its own history
/// (/api/history/enterprises/{id}/..., /api/history/output?enterprise={id}). Nothing else:
/// not registration (PUT /api/enterprises/{id}), not opening bundles, not the cockpit.</item>
/// </list>
/// Paths outside /api are not the API's: the rule allows them (health, metrics, OpenAPI, the page), except
/// the operator's tools (<see cref="OperatorOnly"/>: the Orleans Dashboard, /debug), which only an administrator reaches.
/// </summary>
public static class AccessRule
{
    /// <summary>Segments of /api that only an administrator reaches, even to read.</summary>
    public static readonly string[] AdminOnly = ["keys", "broker"];

    /// <summary>First segments outside /api that only an administrator reaches: the Orleans Dashboard (live log, grain and silo figures) and /debug.</summary>
    public static readonly string[] OperatorOnly = ["dashboard", "debug"];

    /// <param name="caller">The authenticated caller, or null for a request without a valid key.</param>
    /// <param name="method">The HTTP method.</param>
    /// <param name="segments">The path's segments, decoded; literal segments in any case.</param>
    /// <param name="enterpriseFilter">The <c>enterprise</c> query value, if any.</param>
    public static bool Allows(Caller? caller, string method, IReadOnlyList<string> segments, string? enterpriseFilter = null)
    {
        if (!IsApi(segments))
        {
            return !IsOperatorTool(segments) || caller?.Role == Roles.Admin;
        }

        if (IsPublic(method, segments))
        {
            return true;
        }

        if (caller is null)
        {
            return false;
        }

        var reads = HttpMethods.IsGet(method) || HttpMethods.IsHead(method);
        switch (caller.Role)
        {
            case Roles.Admin:
                return true;
            case Roles.Official:
                return reads && !(segments.Count > 1 && AdminOnly.Contains(segments[1], StringComparer.OrdinalIgnoreCase));
            case Roles.Enterprise when caller.Enterprise is { Length: > 0 } own:
                return EnterpriseAllows(own, method, reads, segments, enterpriseFilter);
            default:
                return false;
        }
    }

    /// <summary>
    /// What anyone may do without a key: resolve an identifier (GET /api/handles/...) and scan one
    /// (POST /api/scans/...), as a phone does from a printed code (docs/codes.md).
    /// </summary>
    public static bool IsPublic(string method, IReadOnlyList<string> segments) =>
        segments.Count >= 3
        && ((Is(segments[1], "handles") && (HttpMethods.IsGet(method) || HttpMethods.IsHead(method)))
            || (Is(segments[1], "scans") && HttpMethods.IsPost(method)));

    public static bool IsApi(IReadOnlyList<string> segments) =>
        segments.Count > 0 && segments[0].Equals("api", StringComparison.OrdinalIgnoreCase);

    public static bool IsOperatorTool(IReadOnlyList<string> segments) =>
        segments.Count > 0 && OperatorOnly.Contains(segments[0], StringComparer.OrdinalIgnoreCase);

    private static bool EnterpriseAllows(string own, string method, bool reads, IReadOnlyList<string> segments, string? enterpriseFilter)
    {
        if (segments.Count < 2)
        {
            return false;
        }

        var area = segments[1];
        if (Is(area, "enterprises"))
        {
            // Its own profile to read; its own orders, terminals and whatever else lives under it, to use.
            return segments.Count >= 3 && segments[2] == own && (segments.Count > 3 || reads);
        }

        if (Is(area, "bundles"))
        {
            if (segments.Count <= 3)
            {
                return reads;
            }

            // Its own pledge: read, place or replace, withdraw.
            return segments.Count == 5 && Is(segments[3], "pledges") && segments[4] == own
                && (reads || HttpMethods.IsPut(method) || HttpMethods.IsDelete(method));
        }

        if (Is(area, "code-templates"))
        {
            return reads; // the data templates every firm's identifiers are checked by
        }

        if (Is(area, "rejects"))
        {
            return reads && segments.Count == 2 && enterpriseFilter == own;
        }

        if (Is(area, "history"))
        {
            // Its own orders' timelines, and its own output (not a chain node's or the district's).
            return reads && segments.Count >= 3
                && ((Is(segments[2], "enterprises") && segments.Count >= 4 && segments[3] == own)
                    || (Is(segments[2], "output") && segments.Count == 3 && enterpriseFilter == own));
        }

        return false;
    }

    private static bool Is(string segment, string literal) => segment.Equals(literal, StringComparison.OrdinalIgnoreCase);
}
