using System.Security.Claims;
using System.Text.Encodings.Web;
using IndustryBrain.Silo.Api;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace IndustryBrain.Silo.Security;

/// <summary>
/// ASP.NET Core authentication for the API's keys: <c>Authorization: Bearer {key}</c>, or, for
/// GET /api/cockpit/stream and /api/enterprises/{e}/board/stream only (a browser's EventSource cannot send headers), the <c>access_token</c>
/// query parameter. Without a key: 401 with the reason <c>unauthenticated</c>; a key outside its role: 403
/// with the reason <c>forbidden</c>. Neither answer repeats the key.
/// </summary>
public sealed class BearerKeyHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory logger,
    UrlEncoder encoder,
    KeyVerifier keys,
    SecurityMetrics metrics)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "ApiKey";
    public const string RoleClaim = "ib:role";
    public const string EnterpriseClaim = "ib:enterprise";
    public const string KeyIdClaim = "ib:key";
    public const string StreamPath = "/api/cockpit/stream";
    private const string BadKey = "bad-key";
    private const string Throttled = "throttled";

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var key = PresentedKey(Request);
        if (key is null)
        {
            return AuthenticateResult.NoResult();
        }

        var check = await keys.Check(key, Context.Connection.RemoteIpAddress?.ToString() ?? "");
        if (check.RetryAfter is { } wait)
        {
            Context.Items[Throttled] = wait;
            return AuthenticateResult.Fail("too many wrong API keys");
        }

        if (check.Value is not { } caller)
        {
            Context.Items[BadKey] = true;
            return AuthenticateResult.Fail("the API key is not valid");
        }

        Context.Items[typeof(Caller)] = caller;
        var claims = new List<Claim>
        {
            new(KeyIdClaim, caller.KeyId),
            new(RoleClaim, caller.Role),
            new(ClaimTypes.Name, caller.ToString()),
        };
        if (caller.Enterprise is not null)
        {
            claims.Add(new Claim(EnterpriseClaim, caller.Enterprise));
        }

        var principal = new ClaimsPrincipal(new ClaimsIdentity(claims, SchemeName, ClaimTypes.Name, RoleClaim));
        return AuthenticateResult.Success(new AuthenticationTicket(principal, SchemeName));
    }

    /// <summary>The key the request presents, if any: the bearer token, or the stream's access_token.</summary>
    public static string? PresentedKey(HttpRequest request)
    {
        var header = request.Headers.Authorization;
        if (header.Count == 1 && header[0] is { } value && value.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            var token = value.AsSpan(7).Trim();
            return token.IsEmpty ? null : token.ToString();
        }

        if (header.Count == 0 && HttpMethods.IsGet(request.Method)
            && (request.Path.Equals(StreamPath, StringComparison.OrdinalIgnoreCase) || IsBoardStream(request.Path))
            && request.Query["access_token"] is { Count: 1 } query && !string.IsNullOrEmpty(query[0]))
        {
            return query[0];
        }

        return null;
    }

    /// <summary>A firm's board stream, /api/enterprises/{enterprise}/board/stream: a browser's EventSource too.</summary>
    public static bool IsBoardStream(PathString path) =>
        path.Value is { } value && value.Split('/') is [_, var api, var firms, _, var board, var stream]
        && api.Equals("api", StringComparison.OrdinalIgnoreCase) && firms.Equals("enterprises", StringComparison.OrdinalIgnoreCase)
        && board.Equals("board", StringComparison.OrdinalIgnoreCase) && stream.Equals("stream", StringComparison.OrdinalIgnoreCase);

    /// <summary>The verified caller of this request, if it presented a valid key.</summary>
    public static Caller? CallerOf(HttpContext context) => context.Items[typeof(Caller)] as Caller;

    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        if (Context.Items[Throttled] is TimeSpan wait)
        {
            // Refused by rate before the key was hashed: too many wrong keys from this address or for this key id.
            metrics.HttpRefused("auth-throttled");
            Response.Headers.RetryAfter = ((int)Math.Ceiling(wait.TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture);
            await Problems.Of(StatusCodes.Status429TooManyRequests, "rate-limited", "too many wrong API keys lately; try again after Retry-After").ExecuteAsync(Context);
            return;
        }

        metrics.HttpRefused("unauthenticated");
        Response.Headers.WWWAuthenticate = Context.Items.ContainsKey(BadKey) ? "Bearer error=\"invalid_token\"" : "Bearer";
        var detail = Context.Items.ContainsKey(BadKey)
            ? "the API key is not valid or was revoked"
            : "send an API key: Authorization: Bearer {key}";
        await Problems.Of(StatusCodes.Status401Unauthorized, "unauthenticated", detail).ExecuteAsync(Context);
    }

    protected override async Task HandleForbiddenAsync(AuthenticationProperties properties)
    {
        metrics.HttpRefused("forbidden");
        var caller = CallerOf(Context);
        var detail = caller is null
            ? "this key may not do that"
            : $"a key with the role {caller} may not {Request.Method} this resource";
        await Problems.Of(StatusCodes.Status403Forbidden, "forbidden", detail).ExecuteAsync(Context);
    }
}
