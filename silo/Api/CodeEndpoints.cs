using System.Globalization;
using System.Text;
using IndustryBrain.Codes;
using IndustryBrain.Contracts;
using IndustryBrain.Domain;
using IndustryBrain.Silo.Codes;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.Options;

namespace IndustryBrain.Silo.Api;

/// <summary>The body of POST /api/enterprises/{enterprise}/codes.</summary>
public sealed record CodeRequestBody(
    string? Order,
    long? Quantity,
    string? Template,
    int? TemplateVersion,
    string? Product,
    Dictionary<string, string>? Attributes,
    string? Gtin,
    DateOnly? ProductionDate);

/// <summary>The body of a refusal or a suspension.</summary>
public sealed record PrefixDecision(string? Reason);

/// <summary>An allocated range as the API answers it, with where its first code points.</summary>
public sealed record RangeAnswer(CodeRange Range, long Count, string FirstHandle, string FirstUrl, string Export);

/// <summary>Enterprise prefixes, data templates and code assignment (docs/codes.md).</summary>
public static class CodeEndpoints
{
    public static void MapCodes(this IEndpointRouteBuilder app)
    {
        var firms = app.MapGroup("/api/enterprises").WithTags("Identifier codes");

        firms.MapPut("/{enterprise}/prefix", async (string enterprise, IGrainFactory grains) =>
        {
            if (Ids.Problem(enterprise, "enterprise") is { } badId)
            {
                return Problems.BadRequest("invalid-id", badId);
            }

            if (!await grains.GetGrain<IEnterpriseGrain>(enterprise).IsRegistered())
            {
                return Problems.NotFound("unknown-enterprise", $"enterprise '{enterprise}' is not registered");
            }

            var registry = grains.GetGrain<ICodeRegistryGrain>(Keys.District);
            var existed = await registry.FindPrefix(enterprise) is not null;
            var prefix = await registry.PrefixFor(enterprise);
            var view = await grains.GetGrain<ICodePrefixGrain>(prefix).Apply(enterprise);
            return existed ? Results.Ok(view) : Results.Created($"/api/enterprises/{enterprise}/prefix", view);
        })
        .WithSummary("Apply for the enterprise's prefix ({node}.{n}); an administrator approves it")
        .Produces<PrefixView>(StatusCodes.Status201Created)
        .Produces<PrefixView>()
        .ProducesProblem(StatusCodes.Status404NotFound);

        firms.MapGet("/{enterprise}/prefix", async (string enterprise, IGrainFactory grains) =>
        {
            if (Ids.Problem(enterprise, "enterprise") is { } badId)
            {
                return Problems.BadRequest("invalid-id", badId);
            }

            return await PrefixOf(grains, enterprise) is { } view
                ? Results.Ok(view)
                : Problems.NotFound("unknown-prefix", $"enterprise '{enterprise}' has not applied for a prefix");
        })
        .WithSummary("The enterprise's prefix and its state: applied, approved, refused (with a reason) or suspended")
        .Produces<PrefixView>()
        .ProducesProblem(StatusCodes.Status404NotFound);

        firms.MapPost("/{enterprise}/codes", async (string enterprise, HttpRequest request, IGrainFactory grains, IOptions<JsonOptions> json,
            IOptions<CodeOptions> options) =>
        {
            if (Ids.Problem(enterprise, "enterprise") is { } badId)
            {
                return Problems.BadRequest("invalid-id", badId);
            }

            var (body, problem) = await JsonBody.Read<CodeRequestBody>(request, json.Value.SerializerOptions);
            if (problem is not null)
            {
                return problem;
            }

            if (RequestProblem(body!) is { } bad)
            {
                return bad;
            }

            var gtin = (string?)null;
            if (body!.Gtin is not null)
            {
                if (Gtins.Problem(body.Gtin, out var gtin14) is { } badGtin)
                {
                    return Problems.BadRequest(badGtin.Reason, badGtin.Detail);
                }

                gtin = gtin14;
            }

            if (await PrefixOf(grains, enterprise) is not { } prefix)
            {
                return Problems.Of(StatusCodes.Status409Conflict, "unknown-prefix", $"enterprise '{enterprise}' has no prefix: apply with PUT /api/enterprises/{enterprise}/prefix");
            }

            var registry = grains.GetGrain<ICodeRegistryGrain>(Keys.District);
            if (await registry.Template(body.Template!, body.TemplateVersion) is not { } template)
            {
                return Problems.BadRequest("unknown-template", $"there is no template '{body.Template}'{(body.TemplateVersion is { } v ? $" version {v}" : "")}");
            }

            if (gtin is not null)
            {
                if (prefix.State != PrefixStates.Approved)
                {
                    return Problems.Conflict("prefix-not-approved", $"prefix {prefix.Prefix} is {prefix.State}; codes are assigned under an approved prefix only");
                }

                var owner = await grains.GetGrain<IGtinGrain>(gtin).Claim(prefix.Prefix);
                if (owner != prefix.Prefix)
                {
                    return Problems.Conflict("gtin-taken", $"GTIN {gtin} is registered by another enterprise");
                }
            }

            var codeRequest = new CodeRequest(body.Order!, body.Quantity!.Value, template.Id, template.Version, body.Product!.Trim(),
                body.Attributes is null ? null : new Dictionary<string, string>(body.Attributes, StringComparer.Ordinal), gtin, body.ProductionDate);
            var outcome = await grains.GetGrain<ICodePrefixGrain>(prefix.Prefix).Allocate(codeRequest, template, options.Value.Limits);
            if (outcome.Range is not { } range)
            {
                return outcome.Reason switch
                {
                    "prefix-not-approved" or "over-allocation" => Problems.Conflict(outcome.Reason, outcome.Detail!),
                    _ => Problems.BadRequest(outcome.Reason!, outcome.Detail!),
                };
            }

            var codes = await request.HttpContext.RequestServices.GetRequiredService<VerificationKeyring>().Codes();
            var first = new CodeName(range.Prefix, range.Order, range.First);
            var answer = new RangeAnswer(range, range.Count, first.Handle, TraceLinks.Url(request, options.Value, first, codes.For(first)),
                $"/api/enterprises/{enterprise}/codes/{range.Order}/{range.First}/export");
            return Results.Created(answer.Export, answer);
        })
        .WithSummary("Assign N codes to a production order as one serial range (赋码), described by a data template")
        .Accepts<CodeRequestBody>("application/json")
        .Produces<RangeAnswer>(StatusCodes.Status201Created)
        .ProducesProblem(StatusCodes.Status400BadRequest)
        .ProducesProblem(StatusCodes.Status409Conflict);

        firms.MapGet("/{enterprise}/codes", async (string enterprise, IGrainFactory grains) =>
        {
            if (Ids.Problem(enterprise, "enterprise") is { } badId)
            {
                return Problems.BadRequest("invalid-id", badId);
            }

            if (await PrefixOf(grains, enterprise) is not { } prefix)
            {
                return Problems.NotFound("unknown-prefix", $"enterprise '{enterprise}' has not applied for a prefix");
            }

            // Each order's grain keeps its ranges; the prefix knows only which orders have some.
            var orders = await grains.GetGrain<ICodePrefixGrain>(prefix.Prefix).Orders();
            var ranges = await Task.WhenAll(orders.Select(order => grains.GetGrain<ICodeBatchGrain>(CodeKeys.Batch(prefix.Prefix, order)).Ranges()));
            return Results.Ok(ranges.SelectMany(r => r).ToArray());
        })
        .WithSummary("The enterprise's allocated ranges (ranges, not codes)")
        .Produces<CodeRange[]>()
        .ProducesProblem(StatusCodes.Status404NotFound);

        firms.MapGet("/{enterprise}/codes/{order}/{first:long}/export", async (string enterprise, string order, long first, string? format,
            HttpContext context, IGrainFactory grains, IOptions<CodeOptions> options, VerificationKeyring keyring) =>
        {
            if ((Ids.Problem(enterprise, "enterprise") ?? Ids.Problem(order, "order")) is { } badId)
            {
                return Problems.BadRequest("invalid-id", badId);
            }

            if (format is not (null or "csv" or "urls"))
            {
                return Problems.BadRequest("invalid-field", "format is csv (the default) or urls");
            }

            if (await PrefixOf(grains, enterprise) is not { } prefix)
            {
                return Problems.NotFound("unknown-prefix", $"enterprise '{enterprise}' has not applied for a prefix");
            }

            var ranges = await grains.GetGrain<ICodeBatchGrain>(CodeKeys.Batch(prefix.Prefix, order)).Ranges();
            if (ranges.FirstOrDefault(r => r.First == first) is not { } range)
            {
                return Problems.NotFound("unknown-range", $"order '{order}' has no range starting at serial {first}");
            }

            var codes = await keyring.Codes();
            var csv = format is null or "csv";
            var name = $"{prefix.Prefix}_{order}_{range.First}-{range.Last}.{(csv ? "csv" : "txt")}";
            return Results.Stream(async stream => await CodeExport.Write(stream, range, codes, TraceLinks.Base(context.Request, options.Value), csv, context.RequestAborted),
                csv ? "text/csv; charset=utf-8" : "text/plain; charset=utf-8", name);
        })
        .WithSummary("The laser marker's file for one range, streamed: CSV (handle, serial, verification code, URL) or plain URLs")
        .Produces(StatusCodes.Status200OK, contentType: "text/csv")
        .ProducesProblem(StatusCodes.Status404NotFound);

        var prefixes = app.MapGroup("/api/prefixes").WithTags("Identifier codes");
        prefixes.MapGet("/", async (IGrainFactory grains) => Results.Ok(await grains.GetGrain<ICodeRegistryGrain>(Keys.District).Prefixes()))
            .WithSummary("Every enterprise prefix of the node with its state")
            .Produces<PrefixView[]>();

        prefixes.MapGet("/{prefix}", async (string prefix, IGrainFactory grains, IOptions<CodeOptions> options) =>
        {
            if (PrefixNumbers.Problem(prefix, options.Value.NodePrefix) is { } bad)
            {
                return Problems.BadRequest("malformed-identifier", bad);
            }

            var grain = grains.GetGrain<ICodePrefixGrain>(prefix);
            return await grain.Get() is { } view
                ? Results.Ok(new { prefix = view, scans = await grain.ScanDays() })
                : Problems.NotFound("unknown-prefix", $"nobody applied for prefix {prefix}");
        })
        .WithSummary("A prefix, and its codes' scans and suspect scans per day")
        .ProducesProblem(StatusCodes.Status404NotFound);

        foreach (var decision in new[] { CodePrefixGrain.Approve, CodePrefixGrain.Refuse, CodePrefixGrain.Suspend })
        {
            prefixes.MapPost($"/{{prefix}}/{decision}", async (string prefix, HttpRequest request, IGrainFactory grains, IOptions<CodeOptions> options,
                IOptions<JsonOptions> json) =>
            {
                if (PrefixNumbers.Problem(prefix, options.Value.NodePrefix) is { } bad)
                {
                    return Problems.BadRequest("malformed-identifier", bad);
                }

                string? reason = null;
                if (decision != CodePrefixGrain.Approve)
                {
                    var (body, problem) = await JsonBody.Read<PrefixDecision>(request, json.Value.SerializerOptions);
                    if (problem is not null)
                    {
                        return problem;
                    }

                    reason = body!.Reason;
                    if (reason is { Length: > 500 } || Texts.Problem(reason, "reason") is not null)
                    {
                        return Problems.BadRequest("invalid-field", "reason is at most 500 characters of plain text");
                    }
                }

                var outcome = await grains.GetGrain<ICodePrefixGrain>(prefix).Decide(decision, reason);
                return outcome.Reason switch
                {
                    null => Results.Ok(outcome.View),
                    "unknown-prefix" => Problems.NotFound(outcome.Reason, outcome.Detail!),
                    "prefix-state" => Problems.Conflict(outcome.Reason, outcome.Detail!),
                    _ => Problems.BadRequest(outcome.Reason, outcome.Detail!),
                };
            })
            .WithSummary(decision switch
            {
                CodePrefixGrain.Approve => "Approve an applied (or suspended) prefix",
                CodePrefixGrain.Refuse => "Refuse an applied prefix, with a reason",
                _ => "Suspend an approved prefix, with a reason: its codes no longer resolve",
            })
            .Produces<PrefixView>()
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);
        }

        var templates = app.MapGroup("/api/code-templates").WithTags("Identifier codes");
        templates.MapGet("/", async (IGrainFactory grains) => Results.Ok(await grains.GetGrain<ICodeRegistryGrain>(Keys.District).Templates()))
            .WithSummary("The data templates (数据模板), every version")
            .Produces<CodeTemplate[]>();

        templates.MapPut("/{template}", async (string template, HttpRequest request, IGrainFactory grains, IOptions<JsonOptions> json) =>
        {
            if (Ids.Problem(template, "template") is { } badId)
            {
                return Problems.BadRequest("invalid-id", badId);
            }

            var (body, problem) = await JsonBody.Read<CodeTemplate>(request, json.Value.SerializerOptions);
            if (problem is not null)
            {
                return problem;
            }

            var candidate = body! with { Id = template };
            if (CodeTemplates.TemplateProblem(candidate) is { } bad)
            {
                return Problems.BadRequest("invalid-template", bad);
            }

            var published = await grains.GetGrain<ICodeRegistryGrain>(Keys.District).Publish(candidate);
            return Results.Created($"/api/code-templates/{template}", published);
        })
        .WithSummary("Publish the next version of a data template; identifiers already registered keep their version")
        .Accepts<CodeTemplate>("application/json")
        .Produces<CodeTemplate>(StatusCodes.Status201Created)
        .ProducesProblem(StatusCodes.Status400BadRequest);
    }

    private static async Task<PrefixView?> PrefixOf(IGrainFactory grains, string enterprise) =>
        await grains.GetGrain<ICodeRegistryGrain>(Keys.District).FindPrefix(enterprise) is { } prefix
            ? await grains.GetGrain<ICodePrefixGrain>(prefix).Get()
            : null;

    private static IResult? RequestProblem(CodeRequestBody body)
    {
        if (Ids.Problem(body.Order, "order") is { } order)
        {
            return Problems.BadRequest("invalid-id", order);
        }

        if (body.Quantity is not { } quantity || quantity < 1)
        {
            return Problems.BadRequest("invalid-quantity", "quantity must be a whole number from 1");
        }

        if (Ids.Problem(body.Template, "template") is { } template)
        {
            return Problems.BadRequest("invalid-id", template);
        }

        if (string.IsNullOrWhiteSpace(body.Product) || body.Product.Trim().Length > 200 || Texts.Problem(body.Product, "product") is not null)
        {
            return Problems.BadRequest("invalid-field", "product must be 1 to 200 characters of plain text");
        }

        if (body.Attributes is { Count: > CodeTemplates.MaxAttributes })
        {
            return Problems.BadRequest("template-violation", $"at most {CodeTemplates.MaxAttributes} attributes");
        }

        return null;
    }
}

/// <summary>Where a printed code points: the trace page, with the verification code in the query.</summary>
public static class TraceLinks
{
    public static string Base(HttpRequest request, CodeOptions options) =>
        options.PublicUrl.Length > 0 ? options.PublicUrl.TrimEnd('/') : $"{request.Scheme}://{request.Host}";

    public static string Path(CodeName name, string? code) =>
        code is null ? $"/t/{name.Prefix}/{name.Suffix}" : $"/t/{name.Prefix}/{name.Suffix}?v={code}";

    public static string Url(HttpRequest request, CodeOptions options, CodeName name, string? code) => Base(request, options) + Path(name, code);
}

/// <summary>The laser marker's export of a range, written as it is made: one line per code, nothing held in memory.</summary>
public static class CodeExport
{
    public static async Task Write(Stream stream, CodeRange range, VerificationCodes codes, string baseUrl, bool csv, CancellationToken cancel)
    {
        await using var writer = new StreamWriter(stream, new UTF8Encoding(false), 64 * 1024);
        if (csv)
        {
            await writer.WriteLineAsync("handle,serial,code,url");
        }

        var line = new StringBuilder(200);
        for (var serial = range.First; serial <= range.Last; serial++)
        {
            var name = new CodeName(range.Prefix, range.Order, serial);
            var code = codes.For(name);
            line.Clear();
            if (csv)
            {
                line.Append(name.Handle).Append(',').Append(serial.ToString(CultureInfo.InvariantCulture)).Append(',').Append(code).Append(',');
            }

            line.Append(baseUrl).Append(TraceLinks.Path(name, code));
            await writer.WriteLineAsync(line, cancel);
        }
    }
}
