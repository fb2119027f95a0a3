using IndustryBrain.Contracts;

namespace IndustryBrain;

/// <summary>
/// One enterprise's terminal credentials for MQTT, key "{enterprise}": per terminal the salted hash of
/// its password, never the password. Every change is saved before the reply.
/// </summary>
[Alias("ib.ITerminalCredentialsGrain")]
public interface ITerminalCredentialsGrain : IGrainWithStringKey
{
    /// <summary>Sets the terminal's credential, replacing any earlier one; true when it had one before.</summary>
    [Alias("Issue")]
    Task<bool> Issue(TerminalCredential credential);

    /// <summary>Removes the terminal's credential; false when it had none.</summary>
    /// <summary>
    /// Sets many terminals' credentials in one save (a fleet being provisioned), replacing earlier ones; answers,
    /// in the same order, true for each terminal that had one before.
    /// </summary>
    [Alias("IssueMany")]
    Task<bool[]> IssueMany(TerminalCredential[] credentials);

    [Alias("Revoke")]
    Task<bool> Revoke(string terminal);

    [Alias("Find")]
    Task<TerminalCredential?> Find(string terminal);

    [Alias("List")]
    Task<TerminalCredential[]> List();
}
