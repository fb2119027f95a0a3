namespace IndustryBrain.Silo.Mqtt;

/// <summary>
/// The terminals' connections, as far as the brain holds them: a terminal whose credential was revoked or
/// rotated is disconnected at once. The embedded broker holds them; an external broker holds its own, checked
/// against the password file the brain writes (<c>GET /api/broker/passwd</c>), so there this does nothing.
/// </summary>
public interface ITerminalSessions
{
    /// <summary>Disconnects every connection of these terminals (usernames <c>{enterprise}/{terminal}</c>).</summary>
    Task Disconnect(IReadOnlySet<string> usernames);
}
