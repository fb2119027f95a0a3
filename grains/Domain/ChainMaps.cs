using System.Text.Json;
using IndustryBrain.Contracts;

namespace IndustryBrain.Domain;

/// <summary>Reading and checking a district's industry chain map (JSON: name, nameEn, nodes, edges).</summary>
public static class ChainMaps
{
    public const int MaxNodes = 200;
    public const int MaxEdges = 2000;

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>The map in a JSON document, or why it is not one.</summary>
    public static (ChainMap? Map, string? Problem) Parse(string json)
    {
        ChainMap? map;
        try
        {
            map = JsonSerializer.Deserialize<ChainMap>(json, Json);
        }
        catch (JsonException e)
        {
            return (null, $"the chain map is not valid JSON: {e.Message}");
        }

        return Problem(map) is { } problem ? (null, problem) : (map! with { Edges = map.Edges ?? [] }, null);
    }

    /// <summary>Null when the map is usable; otherwise why not.</summary>
    public static string? Problem(ChainMap? map)
    {
        if (map?.Nodes is null || map.Nodes.Length == 0)
        {
            return "the chain map needs at least one node";
        }

        if (map.Nodes.Length > MaxNodes || (map.Edges?.Length ?? 0) > MaxEdges)
        {
            return $"the chain map has more than {MaxNodes} nodes or {MaxEdges} edges";
        }

        if (Texts.Problem((map.Name, "the chain map's name"), (map.NameEn, "the chain map's nameEn")) is { } mapText)
        {
            return mapText;
        }

        var ids = new HashSet<string>(StringComparer.Ordinal);
        foreach (var node in map.Nodes)
        {
            if (node is null)
            {
                return "the chain map has an empty node";
            }

            if (Ids.Problem(node.Id, "node id") is { } bad)
            {
                return bad;
            }

            if (node.Id == ChainStages.Other)
            {
                return $"node id '{ChainStages.Other}' is kept for enterprises off the map";
            }

            if (!ids.Add(node.Id))
            {
                return $"node '{node.Id}' appears twice";
            }

            if (string.IsNullOrWhiteSpace(node.Name) || node.Name.Length > 50 || node.NameEn is { Length: > 50 })
            {
                return $"node '{node.Id}' needs a name of 1 to 50 characters";
            }

            if (Texts.Problem((node.Name, $"node '{node.Id}' name"), (node.NameEn, $"node '{node.Id}' nameEn")) is { } nodeText)
            {
                return nodeText;
            }

            if (!ChainStages.IsKnown(node.Stage))
            {
                return $"node '{node.Id}' has stage '{node.Stage}'; it must be upstream, midstream or downstream";
            }
        }

        foreach (var edge in map.Edges ?? [])
        {
            if (edge is null || edge.From is null || edge.To is null || !ids.Contains(edge.From) || !ids.Contains(edge.To))
            {
                return $"edge {edge?.From} -> {edge?.To} names a node that is not on the map";
            }

            if (edge.From == edge.To)
            {
                return $"edge {edge.From} -> {edge.To} goes nowhere";
            }
        }

        return null;
    }
}
