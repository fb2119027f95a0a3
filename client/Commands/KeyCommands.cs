using System.CommandLine;
using System.Text.Json.Nodes;
using IndustryBrain.Client.Api;
using IndustryBrain.Contracts;

namespace IndustryBrain.Client.Commands;

/// <summary>brain key create|list|revoke: the HTTP API's keys (an administrator's key is needed).</summary>
public static class KeyCommands
{
    public static Command Build()
    {
        var role = new Option<string>("--role") { Description = "admin, official (reads everything, writes nothing) or enterprise", Required = true };
        role.AcceptOnlyFromAmong(Roles.Admin, Roles.Official, Roles.Enterprise);
        var enterprise = new Option<string?>("--enterprise") { Description = "The enterprise of an enterprise key" };

        var create = new Command("create", "Create an API key; it is shown this once and stored only as a hash") { role, enterprise };
        Cli.Action(create, async (result, output, ct) =>
        {
            var body = new JsonObject { ["role"] = result.GetValue(role) };
            if (result.GetValue(enterprise) is { } id)
            {
                body["enterprise"] = id;
            }

            using var api = Cli.Connect(result);
            var json = await api.Send(HttpMethod.Post, "/api/keys", body, ct);
            if (result.GetValue(Cli.Json))
            {
                output.WriteLine(json);
                return 0;
            }

            var issued = JsonNode.Parse(json)!;
            var who = issued["enterprise"]?.GetValue<string>() is { } firm ? $"enterprise:{firm}" : issued["role"]!.GetValue<string>();
            output.WriteLine(issued["key"]!.GetValue<string>());
            output.WriteLine($"  key id {issued["keyId"]!.GetValue<string>()}, role {who}; shown only now: store it, the brain keeps only its hash");
            return 0;
        });

        var list = new Command("list", "The API keys: id, role, when made and revoked (never the keys)");
        Cli.Action(list, async (result, output, ct) =>
        {
            using var api = Cli.Connect(result);
            var json = await api.Send(HttpMethod.Get, "/api/keys", null, ct);
            if (result.GetValue(Cli.Json))
            {
                output.WriteLine(json);
                return 0;
            }

            var table = new Table("key id", "role", "enterprise", "created", "revoked");
            foreach (var key in BrainApi.Parse<ApiKeySummary[]>(json))
            {
                table.Add(key.KeyId, key.Role, key.Enterprise, key.CreatedAt, key.RevokedAt);
            }

            table.WriteTo(output);
            return 0;
        });

        var keyId = new Argument<string>("key-id") { Description = "The key's id (ib_{key-id}_...), as brain key list shows it" };
        var revoke = new Command("revoke", "Revoke an API key") { keyId };
        Cli.Action(revoke, async (result, output, ct) =>
        {
            using var api = Cli.Connect(result);
            await api.Send(HttpMethod.Delete, BrainApi.Path("api", "keys", result.GetValue(keyId)!), null, ct);
            output.WriteLine($"revoked key {result.GetValue(keyId)}");
            return 0;
        });

        return new Command("key", "API keys: create, list, revoke") { create, list, revoke };
    }
}
