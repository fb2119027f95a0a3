using System.Text.Json;
using IndustryBrain.Codes;
using IndustryBrain.Contracts;
using IndustryBrain.Silo.Codes;
using IndustryBrain.Silo.Security;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.Options;

namespace IndustryBrain.Silo.Api;

/// <summary>One value of a handle record (Handle REST API shape).</summary>
public sealed record HandleValue(int Index, string Type, HandleData Data, int Ttl, DateTimeOffset Timestamp);

public sealed record HandleData(string Format, string Value);

/// <summary>The Handle REST API's answer: responseCode 1 found, 100 handle not found, 2 error.</summary>
public sealed record HandleAnswer(int ResponseCode, string Handle, HandleValue[]? Values = null, string? Message = null, string? Reason = null);

/// <summary>The body of POST /api/scans/{prefix}/{suffix}: the printed verification code and the phone's coarse place.</summary>
public sealed record ScanRequest(string? Code, string? Place, string? Gtin);

/// <summary>Identifier resolution in the Handle REST shape, and scans from the trace page (docs/codes.md). Both public.</summary>
public static class HandleEndpoints
{
    public const int Found = 1;
    public const int Error = 2;
    public const int NotFound = 100;

    public static void MapHandles(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/handles/{prefix}/{suffix}", async (string prefix, string suffix, string? v, HttpContext context, CodeResolver resolver) =>
        {
            if (CodeName.Problem(prefix, suffix, resolver.Options.NodePrefix, out var name) is { } bad)
            {
                return Malformed($"{prefix}/{suffix}", bad);
            }

            var resolution = await resolver.Resolve(name, v);
            if (!resolution.Genuine)
            {
                return Results.Json(new HandleAnswer(NotFound, name.Handle, Message: "not issued", Reason: resolution.Lookup.Reason), statusCode: StatusCodes.Status404NotFound);
            }

            var full = BearerKeyHandler.CallerOf(context) is { } caller
                && (caller.Role is Roles.Admin or Roles.Official || caller.Enterprise == resolution.Prefix!.Enterprise);
            return Results.Ok(new HandleAnswer(Found, name.Handle, await Values(context, resolver, resolution, v, full)));
        })
        .WithTags("Identifier codes")
        .WithSummary("Resolve an identifier (Handle REST shape): public values for anyone, the range and scans for the firm and officials")
        .Produces<HandleAnswer>()
        .Produces<HandleAnswer>(StatusCodes.Status404NotFound)
        .ProducesProblem(StatusCodes.Status400BadRequest);

        app.MapPost("/api/scans/{prefix}/{suffix}", async (string prefix, string suffix, HttpRequest request, IGrainFactory grains, CodeResolver resolver,
            IOptions<JsonOptions> json) =>
        {
            if (CodeName.Problem(prefix, suffix, resolver.Options.NodePrefix, out var name) is { } bad)
            {
                return Problems.BadRequest("malformed-identifier", bad);
            }

            var (body, problem) = await JsonBody.Read<ScanRequest>(request, json.Value.SerializerOptions);
            if (problem is not null)
            {
                return problem;
            }

            var gtin = (string?)null;
            if (body!.Gtin is not null && Gtins.Problem(body.Gtin, out gtin) is { } badGtin)
            {
                return Problems.BadRequest(badGtin.Reason, badGtin.Detail);
            }

            var code = body.Code;
            if (gtin is not null && (await resolver.Resolve(name, null)).Lookup.Range is { } range && range.Gtin != gtin)
            {
                code = null; // a genuine serial under another GTIN: counted as suspect
            }

            var resolution = await resolver.Scan(name, code, body.Place);
            var warnAfter = resolver.Options.WarnAfterScans;
            var reason = gtin is not null && code is null && body.Code is not null ? NotIssuedReasons.WrongGtin : resolution.Lookup.Reason;
            return Results.Ok(resolution.Genuine
                ? await TraceBuilder.Genuine(grains, name, resolution.Prefix!, resolution.Lookup, warnAfter)
                : TraceBuilder.NotIssued(name.Handle, reason!, warnAfter));
        })
        .WithTags("Identifier codes")
        .WithSummary("Scan a code (the trace page does): genuine with the product's making, or not issued; every scan is counted")
        .Accepts<ScanRequest>("application/json")
        .Produces<TraceDocument>()
        .ProducesProblem(StatusCodes.Status400BadRequest);
    }

    /// <summary>A handle that does not read: problem details that also carry the Handle API's responseCode 2.</summary>
    public static IResult Malformed(string handle, string detail) => Results.Problem(
        detail: detail,
        statusCode: StatusCodes.Status400BadRequest,
        title: "The identifier is malformed.",
        type: "https://industry-brain.example/problems/malformed-identifier",
        extensions: new Dictionary<string, object?> { ["reason"] = "malformed-identifier", ["responseCode"] = Error, ["handle"] = handle });

    private static async Task<HandleValue[]> Values(HttpContext context, CodeResolver resolver, Resolution resolution, string? code, bool full)
    {
        var range = resolution.Lookup.Range!;
        var firm = await resolver.Firm(resolution.Prefix!.Enterprise);
        var at = range.AllocatedAt;
        var values = new List<HandleValue>
        {
            new(1, "URL", new("string", TraceLinks.Url(context.Request, resolver.Options, resolution.Name, code)), 86400, at),
            new(2, "IB_PRODUCT", new("string", range.Product), 86400, at),
            new(3, "IB_ENTERPRISE", new("string", firm?.Name ?? resolution.Prefix.Enterprise), 86400, at),
            new(4, "IB_ORDER", new("string", range.Order), 86400, at),
            new(5, "IB_TEMPLATE", new("string", $"{range.Template}@{range.TemplateVersion}"), 86400, at),
            new(6, "IB_ATTRIBUTES", new("string", JsonSerializer.Serialize(range.Attributes)), 86400, at),
        };
        if (range.Gtin is { } gtin)
        {
            values.Add(new(7, "GS1_DIGITAL_LINK", new("string", $"{TraceLinks.Base(context.Request, resolver.Options)}/01/{gtin}/21/{resolution.Name.Suffix}"), 86400, at));
        }

        if (firm?.ShopUrl is { } shop)
        {
            values.Add(new(8, "IB_SHOP", new("string", shop), 86400, at));
        }

        if (resolution.FirmSuspended)
        {
            // Not cached by the reader: the suspension may be lifted at any time.
            values.Add(new(9, "IB_PREFIX_SUSPENDED", new("string", resolution.Prefix.Reason ?? TraceBuilder.PrefixSuspended), 0, resolution.Prefix.DecidedAt ?? at));
        }

        if (full)
        {
            var scans = resolution.Lookup.Scans;
            values.Add(new(100, "IB_RANGE", new("string", $"{CodeName.FormatSerial(range.First)}-{CodeName.FormatSerial(range.Last)}"), 0, at));
            values.Add(new(101, "IB_SCANS", new("string", (scans?.Count ?? 0).ToString(System.Globalization.CultureInfo.InvariantCulture)), 0, at));
            if (scans is not null)
            {
                values.Add(new(102, "IB_FIRST_SCAN", new("string", scans.First.At.ToString("O")), 0, scans.First.At));
                values.Add(new(103, "IB_LAST_SCAN", new("string", scans.Last.At.ToString("O")), 0, scans.Last.At));
            }
        }

        return [.. values];
    }
}
