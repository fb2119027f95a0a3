using System.CommandLine;
using System.Text.Json.Nodes;
using IndustryBrain.Client.Api;

namespace IndustryBrain.Client.Commands;

/// <summary>
/// brain terminal issue|revoke: a terminal's MQTT credential (an administrator's key, or the enterprise's
/// own); brain broker files: Mosquitto's password and ACL files from the registry (an administrator's key).
/// </summary>
public static class TerminalCommands
{
    public static Command Build()
    {
        var terminal = new Argument<string>("enterprise/terminal") { Description = "The terminal, as its MQTT username: e.g. qiaofeng/T1" };

        var issue = new Command("issue", "Issue a terminal's MQTT credential, or rotate it; the password is shown this once") { terminal };
        Cli.Action(issue, async (result, output, ct) =>
        {
            var (enterprise, id) = Split(result.GetValue(terminal)!);
            using var api = Cli.Connect(result);
            var json = await api.Send(HttpMethod.Post, BrainApi.Path("api", "enterprises", enterprise, "terminals", id, "credential"), null, ct);
            if (result.GetValue(Cli.Json))
            {
                output.WriteLine(json);
                return 0;
            }

            var issued = JsonNode.Parse(json)!;
            output.WriteLine($"username {issued["username"]!.GetValue<string>()}");
            output.WriteLine($"password {issued["password"]!.GetValue<string>()}");
            output.WriteLine("  shown only now: store it in the terminal, the brain keeps only its hash; a second issue rotates it");
            return 0;
        });

        var revoke = new Command("revoke", "Revoke a terminal's MQTT credential; its connections are closed") { terminal };
        Cli.Action(revoke, async (result, output, ct) =>
        {
            var (enterprise, id) = Split(result.GetValue(terminal)!);
            using var api = Cli.Connect(result);
            await api.Send(HttpMethod.Delete, BrainApi.Path("api", "enterprises", enterprise, "terminals", id, "credential"), null, ct);
            output.WriteLine($"revoked the credential of {enterprise}/{id}");
            return 0;
        });

        return new Command("terminal", "Terminal credentials for MQTT: issue (or rotate), revoke, a whole fleet at once") { issue, revoke, FleetCommand.Build() };
    }

    public static Command Broker()
    {
        var folder = new Option<string>("--out") { Description = "Folder to write passwd and acl into", DefaultValueFactory = _ => "." };
        var brainUser = new Option<string>("--brain-user") { Description = "The brain's own MQTT username in the ACL", DefaultValueFactory = _ => "industry-brain" };
        var files = new Command("files", "Write Mosquitto's password and ACL files from the brain's credential registry") { folder, brainUser };
        Cli.Action(files, async (result, output, ct) =>
        {
            using var api = Cli.Connect(result);
            var passwd = await api.Send(HttpMethod.Get, "/api/broker/passwd", null, ct);
            var acl = await api.Send(HttpMethod.Get, "/api/broker/acl?brain=" + Uri.EscapeDataString(result.GetValue(brainUser)!), null, ct);
            var target = Path.GetFullPath(result.GetValue(folder)!);
            Directory.CreateDirectory(target);
            await Replace(Path.Combine(target, "passwd"), passwd, ct);
            await Replace(Path.Combine(target, "acl"), acl, ct);
            output.WriteLine($"wrote {Path.Combine(target, "passwd")} ({passwd.Count(c => c == '\n')} terminals) and {Path.Combine(target, "acl")}");
            return 0;
        });

        return new Command("broker", "An external broker's files") { files };
    }

    /// <summary>Writes beside the file and renames over it, so a broker reloading at that moment reads old or new, never half.</summary>
    private static async Task Replace(string path, string text, CancellationToken ct)
    {
        var temporary = path + ".new";
        await File.WriteAllTextAsync(temporary, text, ct);
        File.Move(temporary, path, overwrite: true);
    }

    private static (string Enterprise, string Terminal) Split(string username)
    {
        var slash = username.IndexOf('/');
        return slash > 0 && slash < username.Length - 1 && username.IndexOf('/', slash + 1) < 0
            ? (username[..slash], username[(slash + 1)..])
            : throw new UsageException($"'{username}' is not enterprise/terminal, e.g. qiaofeng/T1");
    }
}
