using IndustryBrain.Contracts;
using Orleans.Concurrency;

namespace IndustryBrain;

/// <summary>The limits an allocation is held to (Codes:* configuration).</summary>
[GenerateSerializer, Immutable, Alias("ib.CodeLimits")]
public sealed record CodeLimits(long MaxPerRequest, long MaxPerOrder);

/// <summary>
/// One enterprise prefix of the identifier node, key "{node}.{n}" (e.g. 88.118.5.12): its approval state, its
/// product catalogue, the orders that have codes and the totals (the ranges themselves are kept once, by the
/// orders' grains). It hears its codes' scan counts from the ranges'
/// grains about once a second, never a scan, and passes suspect scans on to the district.
/// </summary>
[Alias("ib.ICodePrefixGrain")]
public interface ICodePrefixGrain : IGrainWithStringKey
{
    /// <summary>The enterprise applies (again, after a refusal); an approved or suspended prefix stays as it is.</summary>
    [Alias("Apply")]
    Task<PrefixView> Apply(string enterprise);

    /// <summary>An administrator's decision: approve, refuse or suspend (the last two with a reason).</summary>
    [Alias("Decide")]
    Task<PrefixOutcome> Decide(string decision, string? reason);

    /// <summary>Null when nobody applied for this prefix.</summary>
    [Alias("Get")]
    Task<PrefixView?> Get();

    [Alias("Allocate")]
    Task<AllocationOutcome> Allocate(CodeRequest request, CodeTemplate template, CodeLimits limits);

    /// <summary>
    /// Entries of the product catalogue, by index. Interleaves: an order's grain asks while it activates, which may be
    /// inside this prefix's own call to it (an allocation); entries never change once added.
    /// </summary>
    [Alias("Products"), AlwaysInterleave]
    Task<CodeProduct[]> Products(int[] indexes);

    /// <summary>The orders that were allocated codes under this prefix, in the order of their first allocation.</summary>
    [Alias("Orders")]
    Task<string[]> Orders();

    /// <summary>Scans of its codes since the last report (counts only), from one range's grain.</summary>
    [Alias("ReportScans"), OneWay]
    Task ReportScans(DateOnly date, long scans, long suspect, string? lastSuspect);

    /// <summary>Scan counts per district day, latest last.</summary>
    [Alias("ScanDays")]
    Task<CodeScanRollup[]> ScanDays();
}

/// <summary>
/// The codes of one production order under one prefix, key "{prefix}/{order}": its allocated ranges and the
/// bounded scan logs of those of its codes that were scanned. Every scan of its codes comes here and only here.
/// </summary>
[Alias("ib.ICodeBatchGrain")]
public interface ICodeBatchGrain : IGrainWithStringKey
{
    /// <summary>
    /// Takes the next <see cref="CodeRequest.Quantity"/> serials of the order as one range, describing
    /// <paramref name="product"/>, entry <paramref name="productIndex"/> of the prefix's catalogue.
    /// </summary>
    [Alias("Allocate")]
    Task<AllocationOutcome> Allocate(CodeRequest request, int productIndex, CodeProduct product, CodeLimits limits);

    [Alias("Ranges")]
    Task<CodeRange[]> Ranges();

    /// <summary>A code as it stands, without counting a scan.</summary>
    [Alias("Resolve")]
    Task<CodeLookup> Resolve(long serial, int warnAfter);

    /// <summary>
    /// A scan: counted against the code when it is issued and its verification code matched, otherwise counted as
    /// suspect. The answer says genuine (with the scans so far, this one included) or not issued.
    /// </summary>
    [Alias("Scan")]
    Task<CodeLookup> Scan(long serial, bool codeMatches, string? place, int warnAfter);
}

/// <summary>
/// The node's registry, key <see cref="Keys.District"/>: which number each enterprise's prefix has, the prefixes
/// and their states (as the prefixes report them), the data templates and the key of the verification codes.
/// It never hears a scan.
/// </summary>
[Alias("ib.ICodeRegistryGrain")]
public interface ICodeRegistryGrain : IGrainWithStringKey
{
    /// <summary>The enterprise's prefix, numbered on first ask.</summary>
    [Alias("PrefixFor")]
    Task<string> PrefixFor(string enterprise);

    /// <summary>The enterprise's prefix if it has one.</summary>
    [Alias("FindPrefix")]
    Task<string?> FindPrefix(string enterprise);

    [Alias("Report")]
    Task Report(PrefixView view);

    [Alias("Prefixes")]
    Task<PrefixView[]> Prefixes();

    /// <summary>Every version of every template, shipped ones included.</summary>
    [Alias("Templates")]
    Task<CodeTemplate[]> Templates();

    /// <summary>A template's version, its latest when <paramref name="version"/> is null.</summary>
    [Alias("Template")]
    Task<CodeTemplate?> Template(string id, int? version);

    /// <summary>Publishes a template as the next version of its id; identifiers already registered keep theirs.</summary>
    [Alias("Publish")]
    Task<CodeTemplate> Publish(CodeTemplate template);

    /// <summary>The key of the verification codes, made on first ask and kept in grain storage (never logged).</summary>
    [Alias("VerificationKey")]
    Task<byte[]> VerificationKey();
}

/// <summary>A GTIN (14 digits) registered by a firm for GS1 Digital Link, key the GTIN.</summary>
[Alias("ib.IGtinGrain")]
public interface IGtinGrain : IGrainWithStringKey
{
    /// <summary>Claims the GTIN for the prefix; answers the prefix that holds it (another one if it was taken).</summary>
    [Alias("Claim")]
    Task<string> Claim(string prefix);

    [Alias("Owner")]
    Task<string?> Owner();
}
