using IndustryBrain.Codes;
using IndustryBrain.Contracts;

namespace IndustryBrain.Silo.Codes;

/// <summary>
/// The verdict of one scan or resolution: genuine (with the code's scans) or not issued (with why). A genuine code
/// whose firm's prefix is suspended now says so (<see cref="FirmNotice"/> "prefix-suspended", with the administrator's reason).
/// </summary>
public sealed record TraceVerdict(string Status, string? Reason, long Scans, DateTimeOffset? FirstScanAt, DateTimeOffset? LastScanAt, bool Warn, int WarnAfter,
    string? FirmNotice = null, string? FirmNoticeReason = null);

public sealed record TraceProduct(string Name, string Template, int TemplateVersion, string Category, string CategoryEn, string IndustryCode,
    TraceAttribute[] Attributes, string? Gtin);

public sealed record TraceAttribute(string Name, string? Label, string? LabelEn, string Value, string? Unit);

public sealed record TraceFirm(string Enterprise, string? Name, string? Park, string? ShopUrl);

public sealed record TraceOrder(string Order, string? Status, long? Quantity, DateOnly? ProductionDate, DateTimeOffset? StartedAt, DateTimeOffset? LastReadingAt);

public sealed record TraceStep(string Step, string? Name, long Good, long Scrap, DateTimeOffset? FirstAt, DateTimeOffset? LastAt);

public sealed record TraceQuality(long Good, long Scrap);

public sealed record TraceMaterial(string Bundle, string Material, string Unit, decimal Quantity, DateTimeOffset ClosedAt);

/// <summary>What the scan-to-trace page shows (POST /api/scans/...): the verdict, and for a genuine code its making.</summary>
public sealed record TraceDocument(
    string Handle,
    TraceVerdict Verdict,
    TraceProduct? Product,
    TraceFirm? Firm,
    TraceOrder? Order,
    TraceStep[] Steps,
    TraceQuality? Quality,
    TraceMaterial[] Materials,
    ScanEntry[] RecentScans);

/// <summary>Builds the trace page's document from the grains: the code's range, the order's counts, the firm.</summary>
public static class TraceBuilder
{
    /// <summary>"prefix-suspended": the notice a genuine code of a suspended prefix carries.</summary>
    public const string PrefixSuspended = "prefix-suspended";

    public static TraceVerdict Verdict(CodeLookup lookup, int warnAfter, PrefixView? prefix = null) => new(
        lookup.Verdict, lookup.Reason, lookup.Scans?.Count ?? 0, lookup.Scans?.First.At, lookup.Scans?.Last.At, lookup.Warn, warnAfter,
        prefix?.State == PrefixStates.Suspended ? PrefixSuspended : null, prefix?.State == PrefixStates.Suspended ? prefix.Reason : null);

    public static TraceDocument NotIssued(string handle, string reason, int warnAfter) =>
        new(handle, new TraceVerdict(CodeVerdicts.NotIssued, reason, 0, null, null, false, warnAfter), null, null, null, [], null, [], []);

    public static async Task<TraceDocument> Genuine(IGrainFactory grains, CodeName name, PrefixView prefix, CodeLookup lookup, int warnAfter)
    {
        var range = lookup.Range!;
        var registry = grains.GetGrain<ICodeRegistryGrain>(Keys.District);
        var templateTask = registry.Template(range.Template, range.TemplateVersion);
        var firmTask = grains.GetGrain<IEnterpriseGrain>(prefix.Enterprise).GetView();
        var orderTask = grains.GetGrain<IProductionOrderGrain>(Keys.Order(prefix.Enterprise, range.Order)).GetProgress();
        var template = await templateTask;
        var firm = await firmTask;
        var order = await orderTask;

        var attributes = (template?.Attributes ?? [])
            .Where(a => range.Attributes.ContainsKey(a.Name))
            .Select(a => new TraceAttribute(a.Name, a.Label, a.LabelEn, range.Attributes[a.Name], a.Unit))
            .ToArray();
        var product = new TraceProduct(range.Product, range.Template, range.TemplateVersion, template?.Name ?? range.Template,
            template?.NameEn ?? range.Template, template?.IndustryCode ?? "", attributes, range.Gtin);

        var steps = order.Steps.Where(s => s.Weight > 0 || s.Good > 0 || s.Scrap > 0)
            .Select(s => new TraceStep(s.Step, s.Name, s.Good, s.Scrap, s.FirstAt, s.LastAt)).ToArray();
        var started = steps.Select(s => s.FirstAt).Where(t => t is not null).Min();
        var planned = order.Product is not null;
        var productionDate = range.ProductionDate ?? (started is { } s0 ? DateOnly.FromDateTime(s0.UtcDateTime) : null);
        var quality = steps.Length == 0 ? null : new TraceQuality(order.Completed > 0 ? order.Completed : steps[^1].Good, steps.Sum(s => s.Scrap));

        // The materials: the procurement bundles the firm joined that closed before the order's last reading (or all, without readings).
        var until = order.LastReadingAt ?? DateTimeOffset.MaxValue;
        var materials = firm.Procurement.Where(p => p.ClosedAt <= until)
            .Select(p => new TraceMaterial(p.Bundle, p.Material, p.Unit, p.Quantity, p.ClosedAt)).Take(5).ToArray();

        return new TraceDocument(
            name.Handle,
            Verdict(lookup, warnAfter, prefix),
            product,
            new TraceFirm(prefix.Enterprise, firm.Profile?.Name, firm.Profile?.Park, firm.Profile?.ShopUrl),
            new TraceOrder(range.Order, planned || steps.Length > 0 ? order.Status : null, order.Quantity, productionDate, started, order.LastReadingAt),
            steps,
            quality,
            materials,
            lookup.Scans?.Recent ?? []);
    }
}
