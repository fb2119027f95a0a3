using System.Text;

namespace IndustryBrain.Silo.Security;

/// <summary>
/// Mosquitto's password and ACL files, written from the credential registry, with the rights the embedded
/// broker enforces (<see cref="TerminalRights"/>): each terminal writes its own count and status, reads what
/// is under its own prefix (its reject topic) and the brain's state; the brain's own user reads and writes everything under ib/.
/// The registry's hashes are already in Mosquitto's format, so no password is needed to write them.
/// </summary>
public static class BrokerFiles
{
    public const string DefaultBrainUser = "industry-brain";

    /// <summary>Every terminal credential of the district, by username.</summary>
    public static async Task<IReadOnlyList<(string Username, string Hash)>> Credentials(IGrainFactory grains)
    {
        var all = new List<(string, string)>();
        foreach (var enterprise in await grains.GetGrain<ICredentialIndexGrain>(Keys.District).Enterprises())
        {
            foreach (var credential in await grains.GetGrain<ITerminalCredentialsGrain>(enterprise).List())
            {
                all.Add(($"{enterprise}/{credential.Terminal}", credential.Hash));
            }
        }

        return all;
    }

    public static string Passwords(IEnumerable<(string Username, string Hash)> credentials)
    {
        var text = new StringBuilder();
        foreach (var (username, hash) in credentials)
        {
            text.Append(username).Append(':').Append(hash).Append('\n');
        }

        return text.ToString();
    }

    public static string Acl(IEnumerable<(string Username, string Hash)> credentials, string brainUser)
    {
        var text = new StringBuilder();
        text.Append("# Written by IndustryBrain from its credential registry; do not edit by hand.\n");
        text.Append("# Anonymous clients (if allowed at all) get nothing.\n\n");
        text.Append("user ").Append(brainUser).Append('\n');
        text.Append("topic readwrite ib/#\n\n");
        foreach (var (username, _) in credentials)
        {
            text.Append("user ").Append(username).Append('\n');
            text.Append("topic write ib/").Append(username).Append("/count\n");
            text.Append("topic write ib/").Append(username).Append("/status\n");
            text.Append("topic read ib/").Append(username).Append("/#\n");
            text.Append("topic read ib/brain/state\n\n");
        }

        return text.ToString();
    }
}
