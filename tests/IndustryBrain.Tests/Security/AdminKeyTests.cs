using System.Net;
using System.Text.RegularExpressions;

namespace IndustryBrain.Tests.Security;

public sealed partial class AdminKeyTests
{
    [GeneratedRegex("ib_admin_[a-z2-7]{52}")]
    private static partial Regex GeneratedKey();

    private static async Task<HttpStatusCode> KeysStatus(SecuredSilo silo, string key)
    {
        using var response = await silo.Send(HttpMethod.Get, "/api/keys", key);
        return response.StatusCode;
    }

    [Fact]
    public async Task Without_Auth_AdminKey_the_first_start_prints_an_administrator_key_once_and_later_starts_never()
    {
        await using var silo = await SecuredSilo.Start(adminKey: null);
        var printed = GeneratedKey().Matches(silo.Output).Select(m => m.Value).ToArray();
        var key = Assert.Single(printed);
        Assert.Single(silo.Output.Split('\n'), line => line.Contains(key, StringComparison.Ordinal));
        Assert.Equal(HttpStatusCode.OK, await KeysStatus(silo, key));

        await silo.Stop();
        await silo.Restart();
        Assert.Single(GeneratedKey().Matches(silo.Output));
        Assert.Equal(HttpStatusCode.OK, await KeysStatus(silo, key));

        // Only the hash is stored: the key is nowhere in the store's files.
        await silo.Stop();
        foreach (var file in Directory.GetFiles(silo.StoragePath, "*", SearchOption.AllDirectories))
        {
            var bytes = await File.ReadAllBytesAsync(file);
            Assert.DoesNotContain(key, System.Text.Encoding.UTF8.GetString(bytes), StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Setting_Auth_AdminKey_replaces_the_generated_key_and_prints_nothing()
    {
        await using var silo = await SecuredSilo.Start(adminKey: null);
        var generated = GeneratedKey().Match(silo.Output).Value;

        await silo.Stop();
        await silo.Restart(adminKey: "operator-chosen-admin-key");
        Assert.Single(GeneratedKey().Matches(silo.Output));
        Assert.DoesNotContain("operator-chosen-admin-key", silo.Output, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, await KeysStatus(silo, "operator-chosen-admin-key"));
        Assert.Equal(HttpStatusCode.Unauthorized, await KeysStatus(silo, generated));
    }

    [Fact]
    public async Task The_admin_key_rotates_through_the_api_a_new_admin_key_then_revoking_the_old()
    {
        await using var silo = await SecuredSilo.Start(adminKey: null);
        var first = GeneratedKey().Match(silo.Output).Value;

        using (var last = await silo.Send(HttpMethod.Delete, "/api/keys/admin", first))
        {
            Assert.Equal(HttpStatusCode.Conflict, last.StatusCode);
            Assert.Equal("last-admin-key", await SecuredSilo.Reason(last));
        }

        var created = await silo.Ok(HttpMethod.Post, "/api/keys", first, new { role = "admin" });
        var second = created!["key"]!.GetValue<string>();
        using (var revoke = await silo.Send(HttpMethod.Delete, "/api/keys/admin", second))
        {
            Assert.Equal(HttpStatusCode.NoContent, revoke.StatusCode);
        }

        Assert.Equal(HttpStatusCode.Unauthorized, await KeysStatus(silo, first));
        Assert.Equal(HttpStatusCode.OK, await KeysStatus(silo, second));

        // An administrator exists, so a restart makes no new key.
        await silo.Stop();
        await silo.Restart();
        Assert.Single(GeneratedKey().Matches(silo.Output));
        Assert.Equal(HttpStatusCode.OK, await KeysStatus(silo, second));
    }
}
