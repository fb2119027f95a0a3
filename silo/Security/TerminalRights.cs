using IndustryBrain.Silo.Ingest;

namespace IndustryBrain.Silo.Security;

/// <summary>
/// What an MQTT client may publish and subscribe to on the embedded broker. A terminal, known by its
/// username {enterprise}/{terminal}, publishes only its own ib/{enterprise}/{terminal}/count and /status
/// (its reject topic is the brain's) and subscribes only under ib/{enterprise}/{terminal}/ and to ib/brain/state. An anonymous
/// client exists only where Mqtt:RequireCredentials is false, on a network the operator trusts: it may
/// publish anything but the brain's own topics, and subscribe to anything. The same rights are written
/// into Mosquitto's ACL file by <see cref="BrokerFiles"/>.
/// </summary>
public static class TerminalRights
{
    /// <summary>Null when the publish is allowed; otherwise why not.</summary>
    public static string? PublishProblem(string? username, string topic)
    {
        if (IsBrainTopic(topic))
        {
            return $"only the brain publishes on '{Printable(topic)}'";
        }

        if (string.IsNullOrEmpty(username))
        {
            return null;
        }

        return IsOwn(username, topic, "count") || IsOwn(username, topic, "status")
            ? null
            : $"terminal {username} may publish only on ib/{username}/count and ib/{username}/status, not on '{Printable(topic)}'";
    }

    private static bool IsOwn(string username, string topic, string last) =>
        topic.Length == 3 + username.Length + 1 + last.Length
        && topic.StartsWith("ib/", StringComparison.Ordinal)
        && topic.AsSpan(3, username.Length).SequenceEqual(username)
        && topic[3 + username.Length] == '/'
        && topic.AsSpan(4 + username.Length).SequenceEqual(last);

    /// <summary>Null when the subscription is allowed; otherwise why not.</summary>
    public static string? SubscribeProblem(string? username, string filter)
    {
        if (string.IsNullOrEmpty(username) || filter == Topics.BrainState)
        {
            return null;
        }

        var prefix = $"ib/{username}/";
        return filter.StartsWith(prefix, StringComparison.Ordinal) && filter.Length > prefix.Length
            ? null
            : $"terminal {username} may subscribe only under {prefix} and to {Topics.BrainState}";
    }

    /// <summary>The brain's topics: ib/brain/... and every terminal's reject topic.</summary>
    public static bool IsBrainTopic(string topic)
    {
        if (topic.StartsWith("ib/brain/", StringComparison.Ordinal) || topic == "ib/brain")
        {
            return true;
        }

        return topic.StartsWith("ib/", StringComparison.Ordinal)
            && topic.EndsWith("/reject", StringComparison.Ordinal)
            && topic.AsSpan().Count('/') == 3;
    }

    private static string Printable(string topic) => topic.Length <= 100 ? topic : topic[..100] + "...";
}
