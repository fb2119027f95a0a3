using IndustryBrain.Contracts;

namespace IndustryBrain.Domain;

/// <summary>Volume-tier pricing of a pooled-procurement bundle and the validation of its terms.</summary>
public static class TierPricing
{
    public const decimal MaxQuantity = 10_000_000m;
    public const decimal MaxPrice = 1_000_000_000m;
    public const int MaxTiers = 20;

    /// <summary>The index of the highest tier the total reaches, or null below the first tier.</summary>
    public static int? TierReached(IReadOnlyList<Tier> tiers, decimal total)
    {
        int? reached = null;
        for (var i = 0; i < tiers.Count; i++)
        {
            if (total >= tiers[i].MinQuantity)
            {
                reached = i;
            }
        }

        return reached;
    }

    /// <summary>The price of the highest tier reached by the total; the list price below the first tier.</summary>
    public static decimal UnitPrice(decimal listPrice, IReadOnlyList<Tier> tiers, decimal total) =>
        TierReached(tiers, total) is { } i ? tiers[i].UnitPrice : listPrice;

    /// <summary>What a participant saves against the list price: (listPrice - unitPrice) x quantity.</summary>
    public static decimal Savings(decimal listPrice, decimal unitPrice, decimal quantity) => (listPrice - unitPrice) * quantity;

    /// <summary>Null when the terms can open a bundle at <paramref name="now"/>; otherwise (reason, detail).</summary>
    public static (string Reason, string Detail)? TermsProblem(BundleTerms? terms, DateTimeOffset now)
    {
        if (terms is null)
        {
            return ("invalid-field", "the body must be a bundle's terms");
        }

        if (string.IsNullOrWhiteSpace(terms.Material) || terms.Material.Length > 200)
        {
            return ("invalid-field", "material must be 1 to 200 characters");
        }

        if (string.IsNullOrWhiteSpace(terms.Unit) || terms.Unit.Length > 20)
        {
            return ("invalid-field", "unit must be 1 to 20 characters");
        }

        if (terms.Supplier is { Length: > 200 })
        {
            return ("invalid-field", "supplier is at most 200 characters");
        }

        if (Texts.Problem((terms.Material, "material"), (terms.Unit, "unit"), (terms.Supplier, "supplier")) is { } text)
        {
            return ("invalid-field", text);
        }

        if (terms.ListPrice <= 0 || terms.ListPrice > MaxPrice)
        {
            return ("invalid-field", $"listPrice must be above 0 and at most {MaxPrice}");
        }

        if (terms.MinQuantity <= 0 || terms.MinQuantity > MaxQuantity)
        {
            return ("invalid-field", $"minQuantity must be above 0 and at most {MaxQuantity}");
        }

        var tiers = terms.Tiers ?? [];
        if (tiers.Length > MaxTiers)
        {
            return ("invalid-tiers", $"at most {MaxTiers} tiers");
        }

        for (var i = 0; i < tiers.Length; i++)
        {
            var tier = tiers[i];
            if (tier is null || tier.MinQuantity <= 0 || tier.MinQuantity > MaxQuantity || tier.UnitPrice <= 0)
            {
                return ("invalid-tiers", $"tier {i} needs a minQuantity above 0 (at most {MaxQuantity}) and a unitPrice above 0");
            }

            if (i == 0 && tier.UnitPrice >= terms.ListPrice)
            {
                return ("invalid-tiers", $"tier 0's unitPrice {tier.UnitPrice} is not below the listPrice {terms.ListPrice}");
            }

            if (i > 0 && tier.MinQuantity <= tiers[i - 1].MinQuantity)
            {
                return ("invalid-tiers", $"tier {i}'s minQuantity {tier.MinQuantity} is not above tier {i - 1}'s {tiers[i - 1].MinQuantity}");
            }

            if (i > 0 && tier.UnitPrice >= tiers[i - 1].UnitPrice)
            {
                return ("invalid-tiers", $"tier {i}'s unitPrice {tier.UnitPrice} is not below tier {i - 1}'s {tiers[i - 1].UnitPrice}");
            }
        }

        if (terms.ClosesAt <= now)
        {
            return ("closes-in-past", $"closesAt {terms.ClosesAt:O} is not in the future");
        }

        if (terms.ClosesAt > now.AddYears(1))
        {
            return ("invalid-field", "closesAt is more than a year ahead");
        }

        return null;
    }

    /// <summary>Null when a pledge of this quantity is acceptable; otherwise (reason, detail).</summary>
    public static (string Reason, string Detail)? PledgeProblem(decimal quantity)
    {
        if (quantity <= 0)
        {
            return ("invalid-quantity", $"quantity {quantity} must be above 0");
        }

        return quantity > MaxQuantity ? ("invalid-quantity", $"quantity {quantity} is over the limit of {MaxQuantity}") : null;
    }
}
