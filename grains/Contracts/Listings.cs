namespace IndustryBrain.Contracts;

/// <summary>One enterprise in GET /api/enterprises: who it is, where on the chain, its orders, terminals and output today.</summary>
[GenerateSerializer, Immutable, Alias("ib.EnterpriseListing")]
public sealed record EnterpriseListing(
    string Enterprise,
    string? Name,
    string? ChainNode,
    bool Registered,
    int ActiveOrders,
    IReadOnlyDictionary<string, int> OrdersByStatus,
    int TerminalsOnline,
    int TerminalsInFault,
    Output OutputToday);

/// <summary>A page of a list: its items, how many match in all (when known), and the cursor of the next page (null on the last).</summary>
[GenerateSerializer, Immutable, Alias("ib.EnterprisePage")]
public sealed record EnterprisePage(EnterpriseListing[] Items, int Total, string? Next);

/// <summary>Which enterprises to list: on one chain node, after a cursor, at most so many.</summary>
[GenerateSerializer, Immutable, Alias("ib.EnterpriseQuery")]
public sealed record EnterpriseQuery(string? ChainNode, string? After, int Limit);

/// <summary>Which enterprises may hold orders worth listing: on a chain node, with orders in a status, one firm, from an id on.</summary>
[GenerateSerializer, Immutable, Alias("ib.OrderHolderQuery")]
public sealed record OrderHolderQuery(string? ChainNode, string? Status, string? Enterprise, string? From);

/// <summary>An enterprise that holds orders, as the district last heard of it.</summary>
[GenerateSerializer, Immutable, Alias("ib.OrderHolder")]
public sealed record OrderHolder(string Enterprise, string? Name);

/// <summary>One order in GET /api/orders (the district's orders across firms).</summary>
public sealed record OrderListing(
    string Enterprise,
    string? EnterpriseName,
    string Order,
    string Status,
    string? Product,
    long? Quantity,
    double Progress,
    long Completed,
    DateTimeOffset? Due,
    DateTimeOffset? Eta);

public sealed record OrderPage(OrderListing[] Items, string? Next);
