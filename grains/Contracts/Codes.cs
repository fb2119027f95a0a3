namespace IndustryBrain.Contracts;

/// <summary>An enterprise prefix's states (docs/codes.md).</summary>
public static class PrefixStates
{
    public const string Applied = "applied";
    public const string Approved = "approved";
    public const string Refused = "refused";
    public const string Suspended = "suspended";
}

/// <summary>An enterprise prefix as the node keeps it.</summary>
[GenerateSerializer, Immutable, Alias("ib.PrefixView")]
public sealed record PrefixView(
    string Prefix,
    string Enterprise,
    string State,
    string? Reason,
    DateTimeOffset AppliedAt,
    DateTimeOffset? DecidedAt,
    int Ranges,
    long CodesAssigned);

/// <summary>What a prefix grain answers to a request that changes it: the view, or why it was refused.</summary>
[GenerateSerializer, Immutable, Alias("ib.PrefixOutcome")]
public sealed record PrefixOutcome(PrefixView? View, string? Reason = null, string? Detail = null);

/// <summary>One attribute of a data template (数据模板).</summary>
[GenerateSerializer, Immutable, Alias("ib.TemplateAttribute")]
public sealed record TemplateAttribute(string Name, string Type, string? Unit, bool Required, decimal? Min, decimal? Max, string? Label, string? LabelEn);

/// <summary>A versioned data template for one product category, with its industry code (GB/T 4754).</summary>
[GenerateSerializer, Immutable, Alias("ib.CodeTemplate")]
public sealed record CodeTemplate(string Id, int Version, string Name, string NameEn, string IndustryCode, TemplateAttribute[] Attributes);

/// <summary>What the firm asks for: N codes for a production order, described by a template.</summary>
[GenerateSerializer, Immutable, Alias("ib.CodeRequest")]
public sealed record CodeRequest(
    string Order,
    long Quantity,
    string Template,
    int? TemplateVersion,
    string Product,
    Dictionary<string, string>? Attributes,
    string? Gtin,
    DateOnly? ProductionDate);

/// <summary>
/// What every code of a range describes, apart from its order and production date: an entry of the prefix's
/// product catalogue, kept once however many orders and ranges refer to it.
/// </summary>
[GenerateSerializer, Immutable, Alias("ib.CodeProduct")]
public sealed record CodeProduct(string Template, int TemplateVersion, string Product, Dictionary<string, string> Attributes, string? Gtin)
{
    /// <summary>The same description (attributes compared by content, not by reference).</summary>
    public bool Describes(CodeProduct other) =>
        Template == other.Template && TemplateVersion == other.TemplateVersion && Product == other.Product && Gtin == other.Gtin &&
        Attributes.Count == other.Attributes.Count &&
        Attributes.All(a => other.Attributes.TryGetValue(a.Key, out var value) && value == a.Value);
}

/// <summary>
/// One allocated serial range of an order: codes <c>{prefix}/{order}.{First..Last}</c>, with what every code of
/// it describes. State grows with ranges, not codes.
/// </summary>
[GenerateSerializer, Immutable, Alias("ib.CodeRange")]
public sealed record CodeRange(
    string Prefix,
    string Order,
    long First,
    long Last,
    string Template,
    int TemplateVersion,
    string Product,
    Dictionary<string, string> Attributes,
    string? Gtin,
    DateOnly? ProductionDate,
    DateTimeOffset AllocatedAt)
{
    public long Count => Last - First + 1;

    public bool Holds(long serial) => serial >= First && serial <= Last;
}

/// <summary>What an allocation answers: the range, or why nothing was allocated (reason word and sentence).</summary>
[GenerateSerializer, Immutable, Alias("ib.AllocationOutcome")]
public sealed record AllocationOutcome(CodeRange? Range, string? Reason = null, string? Detail = null);

/// <summary>One scan of a code: when, and the client's coarse place if it said.</summary>
[GenerateSerializer, Immutable, Alias("ib.ScanEntry")]
public sealed record ScanEntry(DateTimeOffset At, string? Place);

/// <summary>A scanned code's bounded log: how many scans, the first and the last, and a short recent list.</summary>
[GenerateSerializer, Immutable, Alias("ib.ScanSummary")]
public sealed record ScanSummary(long Count, ScanEntry First, ScanEntry Last, ScanEntry[] Recent);

public static class CodeVerdicts
{
    public const string Genuine = "genuine";
    public const string NotIssued = "not-issued";
}

/// <summary>Why a code is not issued.</summary>
public static class NotIssuedReasons
{
    public const string UnknownPrefix = "unknown-prefix";
    public const string PrefixNotApproved = "prefix-not-approved";
    public const string NoSuchRange = "no-such-range";
    public const string WrongCode = "wrong-code";
    public const string WrongGtin = "wrong-gtin";
}

/// <summary>
/// A code as its range's grain knows it: the range that holds it (null: not issued, with the reason) and
/// its scans so far (null when never scanned).
/// </summary>
[GenerateSerializer, Immutable, Alias("ib.CodeLookup")]
public sealed record CodeLookup(string Verdict, string? Reason, CodeRange? Range, ScanSummary? Scans, bool Warn = false);

/// <summary>What a prefix tells the district about its codes' scans on one district day.</summary>
[GenerateSerializer, Immutable, Alias("ib.CodeScanRollup")]
public sealed record CodeScanRollup(string Enterprise, string Prefix, DateOnly Date, long Scans, long Suspect, string? LastSuspect, DateTimeOffset AsOf);
