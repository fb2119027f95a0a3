using IndustryBrain.Domain;

namespace IndustryBrain;

/// <summary>Grain keys. An order is named by the pair (enterprise, order).</summary>
public static class Keys
{
    public const string District = "district";

    public static string Order(string enterprise, string order) => string.Concat(enterprise, "/", order);

    public static (string Enterprise, string Order) SplitOrder(string key)
    {
        var slash = key.IndexOf('/');
        if (slash <= 0 || slash == key.Length - 1 || !Ids.IsValid(key.AsSpan(0, slash)) || !Ids.IsValid(key.AsSpan(slash + 1)))
        {
            throw new ArgumentException($"'{key}' is not an order key of the form enterprise/order", nameof(key));
        }

        return (key[..slash], key[(slash + 1)..]);
    }
}

/// <summary>Keys of the identifier node's grains.</summary>
public static class CodeKeys
{
    /// <summary>The grain of an order's codes under a prefix.</summary>
    public static string Batch(string prefix, string order) => string.Concat(prefix, "/", order);

    public static (string Prefix, string Order) SplitBatch(string key)
    {
        var slash = key.IndexOf('/');
        if (slash <= 0 || slash == key.Length - 1)
        {
            throw new ArgumentException($"'{key}' is not a batch key of the form prefix/order", nameof(key));
        }

        return (key[..slash], key[(slash + 1)..]);
    }
}
