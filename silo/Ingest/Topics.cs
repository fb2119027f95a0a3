using IndustryBrain.Domain;

namespace IndustryBrain.Silo.Ingest;

public enum TopicKind
{
    Count,
    Status,
}

/// <summary>The contract's topics: ib/{enterprise}/{terminal}/count|status|reject and ib/brain/state.</summary>
public static class Topics
{
    public const string BrainState = "ib/brain/state";
    public const string SharedGroup = "industry-brain";
    public const string SharedCount = "$share/" + SharedGroup + "/ib/+/+/count";
    public const string SharedStatus = "$share/" + SharedGroup + "/ib/+/+/status";

    public static string Reject(string enterprise, string terminal) => $"ib/{enterprise}/{terminal}/reject";

    public static string Count(string enterprise, string terminal) => $"ib/{enterprise}/{terminal}/count";

    public static string Status(string enterprise, string terminal) => $"ib/{enterprise}/{terminal}/status";

    /// <summary>
    /// Recognises a terminal's count or status topic. Answers false for every other topic (the brain's
    /// own, or anyone else's). A recognised topic whose ids are outside the contract's alphabet sets
    /// <paramref name="badId"/>.
    /// </summary>
    public static bool TryParse(string topic, out TopicKind kind, out string enterprise, out string terminal, out string? badId)
    {
        kind = default;
        enterprise = terminal = "";
        badId = null;
        if (!topic.StartsWith("ib/", StringComparison.Ordinal))
        {
            return false;
        }

        var second = topic.IndexOf('/', 3);
        var third = second < 0 ? -1 : topic.IndexOf('/', second + 1);
        if (third < 0 || topic.IndexOf('/', third + 1) >= 0)
        {
            return false;
        }

        var last = topic.AsSpan(third + 1);
        if (last.SequenceEqual("count"))
        {
            kind = TopicKind.Count;
        }
        else if (last.SequenceEqual("status"))
        {
            kind = TopicKind.Status;
        }
        else
        {
            return false;
        }

        enterprise = IdPool.Shared(topic[3..second]);
        terminal = IdPool.Shared(topic[(second + 1)..third]);
        badId = Ids.Problem(enterprise, "enterprise") ?? Ids.Problem(terminal, "terminal");
        return true;
    }
}
