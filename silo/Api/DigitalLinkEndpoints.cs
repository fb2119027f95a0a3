using IndustryBrain.Codes;
using IndustryBrain.Contracts;
using IndustryBrain.Silo.Codes;

namespace IndustryBrain.Silo.Api;

/// <summary>
/// GS1 Digital Link for firms that register GTINs: <c>/01/{gtin}/21/{serial}</c>, the serial being the code's
/// suffix <c>{order}.{serial}</c>. Without linkType: 307 to the trace page (which verifies and counts the scan);
/// <c>linkType=all</c>: the RFC 9264 linkset; another link type: 307 to that link. And the trace page itself.
/// </summary>
public static class DigitalLinkEndpoints
{
    public const string Voc = "https://gs1.org/voc/";
    public const string LinksetType = "application/linkset+json";

    public static readonly string[] LinkTypes = ["defaultLink", "traceability", "verificationService", "pip"];

    public static void MapDigitalLink(this IEndpointRouteBuilder app)
    {
        app.MapGet("/01/{gtin}/21/{serial}", async (string gtin, string serial, string? linkType, string? v, HttpContext context, IGrainFactory grains,
            CodeResolver resolver) =>
        {
            if (Gtins.Problem(gtin, out var gtin14) is { } badGtin)
            {
                return Problems.BadRequest(badGtin.Reason, badGtin.Detail);
            }

            if (CodeName.SuffixProblem(serial, out var order, out var number) is { } badSerial)
            {
                return Problems.BadRequest("malformed-identifier", badSerial);
            }

            var type = linkType?.StartsWith("gs1:", StringComparison.Ordinal) == true ? linkType[4..] : linkType;
            if (type is not null && type != "all" && !LinkTypes.Contains(type))
            {
                return Problems.NotFound("unknown-link-type", $"link type '{linkType}' is not served: all, or gs1:{string.Join(", gs1:", LinkTypes)}");
            }

            if (await grains.GetGrain<IGtinGrain>(gtin14).Owner() is not { } prefix)
            {
                return Problems.NotFound("not-issued", $"GTIN {gtin14} is not registered on this node");
            }

            var name = new CodeName(prefix, order, number);
            var trace = TraceLinks.Base(context.Request, resolver.Options) + TraceLinks.Path(name, v) + (v is null ? "?" : "&") + $"gtin={gtin14}";
            if (type is null or "defaultLink" or "traceability")
            {
                // The page scans (and counts) the code; a resolver that verified here would count nothing.
                return Results.Redirect(trace, permanent: false, preserveMethod: true);
            }

            var resolution = await resolver.Resolve(name, v);
            if (!resolution.Genuine || resolution.Lookup.Range!.Gtin != gtin14)
            {
                return Problems.NotFound("not-issued", $"{gtin14}/21/{serial} was not issued ({(resolution.Genuine ? NotIssuedReasons.WrongGtin : resolution.Lookup.Reason)})");
            }

            var firm = await resolver.Firm(resolution.Prefix!.Enterprise);
            var handle = $"{TraceLinks.Base(context.Request, resolver.Options)}/api/handles/{name.Prefix}/{name.Suffix}";
            var shop = firm?.ShopUrl;
            if (type == "verificationService")
            {
                return Results.Redirect(handle, permanent: false, preserveMethod: true);
            }

            if (type == "pip")
            {
                return shop is null
                    ? Problems.NotFound("unknown-link-type", "the firm has no product page (shopUrl)")
                    : Results.Redirect(shop, permanent: false, preserveMethod: true);
            }

            var anchor = $"{TraceLinks.Base(context.Request, resolver.Options)}/01/{gtin14}/21/{name.Suffix}";
            var product = resolution.Lookup.Range.Product;
            var links = new Dictionary<string, object>
            {
                ["anchor"] = anchor,
                [Voc + "defaultLink"] = new[] { Link(trace, product, "text/html") },
                [Voc + "traceability"] = new[] { Link(trace, product, "text/html") },
                [Voc + "verificationService"] = new[] { Link(handle, name.Handle, "application/json") },
            };
            if (shop is not null)
            {
                links[Voc + "pip"] = new[] { Link(shop, firm?.Name ?? product, "text/html") };
            }

            context.Response.Headers.Link = $"<{trace}>; rel=\"{Voc}defaultLink\"";
            return Results.Json(new { linkset = new[] { links } }, contentType: LinksetType);
        })
        .WithTags("Identifier codes")
        .WithSummary("GS1 Digital Link: 307 to the trace page, ?linkType=all for the linkset (RFC 9264), ?linkType=gs1:pip and others for one link")
        .Produces(StatusCodes.Status307TemporaryRedirect)
        .ProducesProblem(StatusCodes.Status400BadRequest)
        .ProducesProblem(StatusCodes.Status404NotFound);

        app.MapGet("/.well-known/gs1resolver", (HttpContext context, CodeResolver resolver) => Results.Json(new
        {
            name = "IndustryBrain identifier node " + resolver.Options.NodePrefix,
            resolverRoot = TraceLinks.Base(context.Request, resolver.Options),
            supportedPrimaryKeys = new[] { "01" },
            supportedLinkType = LinkTypes.Select(t => new { namespacedProperty = "gs1:" + t, property = Voc + t }).ToArray(),
            linkTypeDefaultCanBeLinkset = false,
        }))
        .WithTags("Identifier codes")
        .WithSummary("The GS1 resolver description");

        app.MapGet("/t/{prefix}/{suffix}", (HttpContext context) =>
        {
            var page = Path.Combine(AppContext.BaseDirectory, "wwwroot", "trace.html");
            context.Response.Headers.CacheControl = "no-cache";
            return File.Exists(page)
                ? Results.File(page, "text/html; charset=utf-8")
                : Problems.NotFound("not-found", "the trace page was not built (build the silo with Node.js and npm on the PATH)");
        })
        .ExcludeFromDescription();
    }

    private static object Link(string href, string title, string type) => new { href, title, type, hreflang = new[] { "zh", "en" } };
}
