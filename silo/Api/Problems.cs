using System.Text.Json;

namespace IndustryBrain.Silo.Api;

/// <summary>RFC 9457 problem details that always carry a machine-readable <c>reason</c>.</summary>
public static class Problems
{
    public static IResult Of(int status, string reason, string detail) => Results.Problem(
        detail: detail,
        statusCode: status,
        title: Title(reason),
        type: $"https://industry-brain.example/problems/{reason}",
        extensions: new Dictionary<string, object?> { ["reason"] = reason });

    public static IResult BadRequest(string reason, string detail) => Of(StatusCodes.Status400BadRequest, reason, detail);

    public static IResult NotFound(string reason, string detail) => Of(StatusCodes.Status404NotFound, reason, detail);

    public static IResult Conflict(string reason, string detail) => Of(StatusCodes.Status409Conflict, reason, detail);

    /// <summary>
    /// The reason of a problem that ASP.NET Core wrote itself (no route, wrong method, a body over Kestrel's
    /// limit, an unexpected error), so that every problem the brain answers carries one.
    /// </summary>
    public static string ReasonOf(int status) => status switch
    {
        StatusCodes.Status400BadRequest => "bad-request",
        StatusCodes.Status401Unauthorized => "unauthenticated",
        StatusCodes.Status403Forbidden => "forbidden",
        StatusCodes.Status404NotFound => "not-found",
        StatusCodes.Status405MethodNotAllowed => "method-not-allowed",
        StatusCodes.Status408RequestTimeout => "timeout",
        StatusCodes.Status413PayloadTooLarge => "too-large",
        StatusCodes.Status415UnsupportedMediaType => "unsupported-media-type",
        StatusCodes.Status429TooManyRequests => "rate-limited",
        StatusCodes.Status431RequestHeaderFieldsTooLarge => "too-large",
        >= 500 => "internal-error",
        _ => "bad-request",
    };

    /// <summary>Every problem's title is a sentence that says what went wrong; <c>reason</c> is the machine-readable word.</summary>
    public static string Title(string reason) => reason switch
    {
        "malformed-json" => "The body is not valid JSON.",
        "invalid-field" => "A field is missing or out of range.",
        "invalid-id" => "An identifier is outside the contract's alphabet.",
        "unknown-enterprise" => "No such enterprise is registered.",
        "unknown-order" => "There is no such order.",
        "unknown-bundle" => "There is no such bundle.",
        "unknown-sales-order" => "There is no such sales order.",
        "shipment-over-ordered" => "The shipment is more than was ordered.",
        "invalid-amount" => "An amount is not valid.",
        "malformed-csv" => "A CSV line cannot be read.",
        "unknown-pledge" => "This enterprise has no pledge in the bundle.",
        "unknown-key" => "There is no such API key.",
        "unknown-credential" => "The terminal has no credential.",
        "invalid-tiers" => "The bundle's price tiers are not valid.",
        "invalid-quantity" => "The quantity is not valid.",
        "closes-in-past" => "The bundle's deadline has already passed.",
        "bundle-exists" => "The bundle is already open with other terms.",
        "bundle-closed" => "The bundle has closed.",
        "bundle-failed" => "The bundle failed to reach its minimum.",
        "bundle-cancelled" => "The bundle was cancelled.",
        "last-admin-key" => "The last administrator's key cannot be revoked.",
        "configured-admin-key" => "The configured administrator's key is changed in the configuration, not through the API.",
        "loopback-only" => "Only callers on this machine may do that.",
        "unauthenticated" => "An API key is needed.",
        "forbidden" => "This key may not do that.",
        "rate-limited" => "Too many requests; try again shortly.",
        "too-large" => "The request is too large.",
        "not-found" => "Nothing is at this address.",
        "method-not-allowed" => "This address does not take that method.",
        "unsupported-media-type" => "The body must be JSON.",
        "timeout" => "The request took too long.",
        "bad-request" => "The request is not valid.",
        "internal-error" => "Something went wrong inside the brain.",
        _ when reason.StartsWith("uscc", StringComparison.Ordinal) => "The Unified Social Credit Code is not valid.",
        _ => $"The request was refused ({reason}).",
    };
}

/// <summary>Reads a JSON body, telling malformed JSON apart from a well-formed body with a wrong field.</summary>
public static class JsonBody
{
    public const int MaxBytes = 1024 * 1024;

    public static async Task<(T? Value, IResult? Problem)> Read<T>(HttpRequest request, JsonSerializerOptions options)
        where T : class
    {
        if (request.ContentLength > MaxBytes)
        {
            return (null, Problems.Of(StatusCodes.Status413PayloadTooLarge, "too-large", $"the body is over {MaxBytes} bytes"));
        }

        using var buffer = new MemoryStream();
        await request.Body.CopyToAsync(buffer);
        if (buffer.Length > MaxBytes)
        {
            return (null, Problems.Of(StatusCodes.Status413PayloadTooLarge, "too-large", $"the body is over {MaxBytes} bytes"));
        }

        var bytes = buffer.GetBuffer().AsMemory(0, (int)buffer.Length);
        try
        {
            using var document = JsonDocument.Parse(bytes);
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                return (null, Problems.BadRequest("invalid-field", "the body must be a JSON object"));
            }
        }
        catch (JsonException e)
        {
            return (null, Problems.BadRequest("malformed-json", FirstSentence(e.Message)));
        }

        try
        {
            var value = JsonSerializer.Deserialize<T>(bytes.Span, options);
            return value is null ? (null, Problems.BadRequest("invalid-field", "the body is empty")) : (value, null);
        }
        catch (JsonException e)
        {
            var where = string.IsNullOrEmpty(e.Path) ? "" : $" at {e.Path}";
            return (null, Problems.BadRequest("invalid-field", e is InexactNumberException ? FirstSentence(e.Message) + where : $"a field has the wrong type{where}"));
        }
    }

    private static string FirstSentence(string message)
    {
        var cut = message.IndexOf(" Path:", StringComparison.Ordinal);
        return cut > 0 ? message[..cut] : message;
    }
}
