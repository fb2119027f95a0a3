using System.Net;
using System.Text.Json.Nodes;

namespace IndustryBrain.Tests.Security;

/// <summary>One silo with two firms, their keys and an official's, shared by the HTTP rights tests.</summary>
public sealed class TwoFirmsSilo : IAsyncLifetime
{
    public SecuredSilo Silo { get; private set; } = null!;
    public string Qiaofeng { get; private set; } = "";
    public string QiaofengKeyId { get; private set; } = "";
    public string Other { get; private set; } = "";
    public string Official { get; private set; } = "";

    public static readonly object Plan = new
    {
        product = "slaughter knife 8in",
        quantity = 1000,
        unitPrice = 38.5,
        due = "2099-11-23T18:00:00+08:00",
        routing = new[] { new { step = "blank" }, new { step = "pack" } },
    };

    public async Task InitializeAsync()
    {
        Silo = await SecuredSilo.Start();
        await Silo.Register("qiaofeng");
        await Silo.Register("other");
        (QiaofengKeyId, Qiaofeng) = await Silo.CreateKey("enterprise", "qiaofeng");
        (_, Other) = await Silo.CreateKey("enterprise", "other");
        (_, Official) = await Silo.CreateKey("official");
        await Silo.Ok(HttpMethod.Put, "/api/enterprises/qiaofeng/orders/QF-1", Silo.AdminKey, Plan);
        await Silo.Ok(HttpMethod.Put, "/api/enterprises/other/orders/OT-1", Silo.AdminKey, Plan);
        await Silo.Ok(HttpMethod.Put, "/api/bundles/steel", Silo.AdminKey, new
        {
            material = "5Cr15MoV strip",
            unit = "t",
            listPrice = 21000,
            tiers = new[] { new { minQuantity = 50, unitPrice = 20600 } },
            minQuantity = 50,
            closesAt = DateTimeOffset.UtcNow.AddDays(30),
        });
    }

    public async Task DisposeAsync() => await Silo.DisposeAsync();
}

public sealed class HttpRightsTests(TwoFirmsSilo firms) : IClassFixture<TwoFirmsSilo>
{
    private SecuredSilo Silo => firms.Silo;

    private async Task Refused(HttpStatusCode status, string reason, HttpMethod method, string path, string? key, object? body = null)
    {
        using var response = await Silo.Send(method, path, key, body);
        Assert.Equal(status, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(reason, await SecuredSilo.Reason(response));
    }

    [Fact]
    public async Task Without_a_key_the_api_answers_401_unauthenticated()
    {
        await Refused(HttpStatusCode.Unauthorized, "unauthenticated", HttpMethod.Get, "/api/enterprises/qiaofeng", null);
        await Refused(HttpStatusCode.Unauthorized, "unauthenticated", HttpMethod.Get, "/api/bundles", null);
        using var response = await Silo.Send(HttpMethod.Get, "/api/enterprises/qiaofeng", null);
        Assert.Equal("Bearer", response.Headers.WwwAuthenticate.Single().Scheme);
    }

    [Theory]
    [InlineData("not-a-key")]
    [InlineData("ib_admin_aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa")]
    [InlineData("ib_nosuchkey_aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa")]
    public async Task A_wrong_key_answers_401_and_the_answer_does_not_repeat_it(string key)
    {
        using var response = await Silo.Send(HttpMethod.Get, "/api/enterprises/qiaofeng", key);
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        var text = await response.Content.ReadAsStringAsync();
        Assert.Contains("\"reason\":\"unauthenticated\"", text, StringComparison.Ordinal);
        Assert.DoesNotContain(key, text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_tampered_enterprise_key_answers_401()
    {
        var tampered = firms.Qiaofeng[..^1] + (firms.Qiaofeng[^1] == 'a' ? 'b' : 'a');
        await Refused(HttpStatusCode.Unauthorized, "unauthenticated", HttpMethod.Get, "/api/enterprises/qiaofeng", tampered);
    }

    [Fact]
    public async Task An_enterprise_key_reading_another_firms_order_gets_403()
    {
        await Refused(HttpStatusCode.Forbidden, "forbidden", HttpMethod.Get, "/api/enterprises/other/orders/OT-1", firms.Qiaofeng);
        await Refused(HttpStatusCode.Forbidden, "forbidden", HttpMethod.Get, "/api/enterprises/other/orders", firms.Qiaofeng);
        await Refused(HttpStatusCode.Forbidden, "forbidden", HttpMethod.Get, "/api/enterprises/other", firms.Qiaofeng);
        var own = await Silo.Ok(HttpMethod.Get, "/api/enterprises/qiaofeng/orders/QF-1", firms.Qiaofeng);
        Assert.Equal("qiaofeng", own!["enterprise"]!.GetValue<string>());
        Assert.Equal(1000, own["quantity"]!.GetValue<long>());
    }

    [Fact]
    public async Task An_enterprise_plans_its_own_orders_but_cannot_change_another_firms()
    {
        var changed = new { product = "cleaver", quantity = 77, unitPrice = 10, due = "2099-01-01T00:00:00Z", routing = new[] { new { step = "forge" } } };
        await Refused(HttpStatusCode.Forbidden, "forbidden", HttpMethod.Put, "/api/enterprises/other/orders/OT-1", firms.Qiaofeng, changed);
        var other = await Silo.Ok(HttpMethod.Get, "/api/enterprises/other/orders/OT-1", Silo.AdminKey);
        Assert.Equal("slaughter knife 8in", other!["product"]!.GetValue<string>());
        Assert.Equal(1000, other["quantity"]!.GetValue<long>());

        var own = await Silo.Ok(HttpMethod.Put, "/api/enterprises/qiaofeng/orders/QF-2", firms.Qiaofeng, changed);
        Assert.Equal(77, own!["quantity"]!.GetValue<long>());
    }

    [Fact]
    public async Task Only_an_administrator_registers_enterprises()
    {
        var profile = new { name = "Renamed", uscc = SecuredSilo.Uscc };
        await Refused(HttpStatusCode.Forbidden, "forbidden", HttpMethod.Put, "/api/enterprises/qiaofeng", firms.Qiaofeng, profile);
        await Refused(HttpStatusCode.Forbidden, "forbidden", HttpMethod.Put, "/api/enterprises/newcomer", firms.Official, profile);
        var view = await Silo.Ok(HttpMethod.Get, "/api/enterprises/qiaofeng", firms.Qiaofeng);
        Assert.Equal("Firm qiaofeng", view!["profile"]!["name"]!.GetValue<string>());
    }

    [Fact]
    public async Task An_officials_write_gets_403_and_changes_nothing()
    {
        var changed = new { product = "cleaver", quantity = 5, unitPrice = 1, due = "2099-01-01T00:00:00Z", routing = new[] { new { step = "forge" } } };
        await Refused(HttpStatusCode.Forbidden, "forbidden", HttpMethod.Put, "/api/enterprises/qiaofeng/orders/QF-1", firms.Official, changed);
        await Refused(HttpStatusCode.Forbidden, "forbidden", HttpMethod.Put, "/api/bundles/steel/pledges/qiaofeng", firms.Official, new { quantity = 10 });
        await Refused(HttpStatusCode.Forbidden, "forbidden", HttpMethod.Post, "/api/keys", firms.Official, new { role = "admin" });
        await Refused(HttpStatusCode.Forbidden, "forbidden", HttpMethod.Post, "/api/enterprises/qiaofeng/terminals/T1/credential", firms.Official);
        await Refused(HttpStatusCode.Forbidden, "forbidden", HttpMethod.Get, "/api/keys", firms.Official);
        await Refused(HttpStatusCode.Forbidden, "forbidden", HttpMethod.Get, "/api/broker/passwd", firms.Official);

        var order = await Silo.Ok(HttpMethod.Get, "/api/enterprises/qiaofeng/orders/QF-1", firms.Official);
        Assert.Equal(1000, order!["quantity"]!.GetValue<long>());
        var bundle = await Silo.Ok(HttpMethod.Get, "/api/bundles/steel", firms.Official);
        Assert.DoesNotContain(bundle!["pledges"]!.AsArray(), p => p!["enterprise"]!.GetValue<string>() == "qiaofeng" && p["quantity"]!.GetValue<decimal>() == 10);
    }

    [Fact]
    public async Task An_official_reads_every_firm_and_the_reject_log()
    {
        Assert.Equal("other", (await Silo.Ok(HttpMethod.Get, "/api/enterprises/other", firms.Official))!["enterprise"]!.GetValue<string>());
        Assert.Equal(1000, (await Silo.Ok(HttpMethod.Get, "/api/enterprises/qiaofeng/orders/QF-1", firms.Official))!["quantity"]!.GetValue<long>());
        Assert.IsType<JsonArray>(await Silo.Ok(HttpMethod.Get, "/api/rejects", firms.Official));
        Assert.IsType<JsonArray>(await Silo.Ok(HttpMethod.Get, "/api/bundles", firms.Official));
    }

    [Fact]
    public async Task An_enterprise_pledges_and_withdraws_only_for_itself()
    {
        await Silo.Ok(HttpMethod.Put, "/api/bundles/steel/pledges/other", firms.Other, new { quantity = 30 });
        await Refused(HttpStatusCode.Forbidden, "forbidden", HttpMethod.Put, "/api/bundles/steel/pledges/other", firms.Qiaofeng, new { quantity = 1 });
        await Refused(HttpStatusCode.Forbidden, "forbidden", HttpMethod.Delete, "/api/bundles/steel/pledges/other", firms.Qiaofeng);
        await Refused(HttpStatusCode.Forbidden, "forbidden", HttpMethod.Put, "/api/bundles/steel2", firms.Qiaofeng, new { });
        await Refused(HttpStatusCode.Forbidden, "forbidden", HttpMethod.Post, "/api/bundles/steel/close", firms.Qiaofeng);

        // Another firm sees the bundle's total, not who pledged it; the pledging firm sees its own pledge.
        var bundle = await Silo.Ok(HttpMethod.Get, "/api/bundles/steel", firms.Qiaofeng);
        Assert.DoesNotContain(bundle!["pledges"]!.AsArray(), p => p!["enterprise"]!.GetValue<string>() == "other");
        Assert.Equal(30m, bundle["totalQuantity"]!.GetValue<decimal>());
        Assert.Equal("open", bundle["state"]!.GetValue<string>());
        var own = await Silo.Ok(HttpMethod.Get, "/api/bundles/steel", firms.Other);
        var pledge = own!["pledges"]!.AsArray().Single(p => p!["enterprise"]!.GetValue<string>() == "other");
        Assert.Equal(30m, pledge!["quantity"]!.GetValue<decimal>());
    }

    [Fact]
    public async Task An_enterprise_issues_credentials_for_its_own_terminals_only()
    {
        using var own = await Silo.Send(HttpMethod.Post, "/api/enterprises/qiaofeng/terminals/E1/credential", firms.Qiaofeng);
        Assert.Equal(HttpStatusCode.Created, own.StatusCode);
        var issued = JsonNode.Parse(await own.Content.ReadAsStringAsync())!;
        Assert.Equal("qiaofeng/E1", issued["username"]!.GetValue<string>());
        Assert.Matches("^[a-z2-7]{32}$", issued["password"]!.GetValue<string>());

        await Refused(HttpStatusCode.Forbidden, "forbidden", HttpMethod.Post, "/api/enterprises/other/terminals/E1/credential", firms.Qiaofeng);
        await Refused(HttpStatusCode.Forbidden, "forbidden", HttpMethod.Delete, "/api/enterprises/other/terminals/E1/credential", firms.Qiaofeng);
        using var revoked = await Silo.Send(HttpMethod.Delete, "/api/enterprises/qiaofeng/terminals/E1/credential", firms.Qiaofeng);
        Assert.Equal(HttpStatusCode.NoContent, revoked.StatusCode);
        await Refused(HttpStatusCode.NotFound, "unknown-credential", HttpMethod.Delete, "/api/enterprises/qiaofeng/terminals/E1/credential", firms.Qiaofeng);
    }

    [Fact]
    public async Task An_enterprise_reads_the_reject_log_only_for_itself_and_not_the_cockpit()
    {
        Assert.IsType<JsonArray>(await Silo.Ok(HttpMethod.Get, "/api/rejects?enterprise=qiaofeng", firms.Qiaofeng));
        await Refused(HttpStatusCode.Forbidden, "forbidden", HttpMethod.Get, "/api/rejects", firms.Qiaofeng);
        await Refused(HttpStatusCode.Forbidden, "forbidden", HttpMethod.Get, "/api/rejects?enterprise=other", firms.Qiaofeng);
        await Refused(HttpStatusCode.Forbidden, "forbidden", HttpMethod.Get, "/api/cockpit", firms.Qiaofeng);
    }

    [Fact]
    public async Task A_revoked_key_is_refused_at_once()
    {
        var (keyId, key) = await Silo.CreateKey("enterprise", "qiaofeng");
        await Silo.Ok(HttpMethod.Get, "/api/enterprises/qiaofeng", key);
        using var revoke = await Silo.Send(HttpMethod.Delete, $"/api/keys/{keyId}", Silo.AdminKey);
        Assert.Equal(HttpStatusCode.NoContent, revoke.StatusCode);
        await Refused(HttpStatusCode.Unauthorized, "unauthenticated", HttpMethod.Get, "/api/enterprises/qiaofeng", key);
        var listed = (await Silo.Ok(HttpMethod.Get, "/api/keys", Silo.AdminKey))!.AsArray().Single(k => k!["keyId"]!.GetValue<string>() == keyId);
        Assert.True(listed!["revokedAt"]!.GetValue<DateTimeOffset>() > DateTimeOffset.UnixEpoch);
        Assert.Null(listed["hash"]);
    }

    [Fact]
    public async Task Keys_are_made_only_for_known_roles_and_registered_firms()
    {
        await Refused(HttpStatusCode.BadRequest, "invalid-field", HttpMethod.Post, "/api/keys", Silo.AdminKey, new { role = "superuser" });
        await Refused(HttpStatusCode.NotFound, "unknown-enterprise", HttpMethod.Post, "/api/keys", Silo.AdminKey, new { role = "enterprise", enterprise = "nobody" });
        await Refused(HttpStatusCode.BadRequest, "invalid-id", HttpMethod.Post, "/api/keys", Silo.AdminKey, new { role = "enterprise", enterprise = "bad id" });
        await Refused(HttpStatusCode.BadRequest, "invalid-field", HttpMethod.Post, "/api/keys", Silo.AdminKey, new { role = "official", enterprise = "qiaofeng" });
        await Refused(HttpStatusCode.NotFound, "unknown-key", HttpMethod.Delete, "/api/keys/nosuchkey", Silo.AdminKey);
        await Refused(HttpStatusCode.Conflict, "configured-admin-key", HttpMethod.Delete, "/api/keys/admin", Silo.AdminKey);
    }

    [Fact]
    public async Task The_access_token_query_counts_only_for_the_cockpit_stream()
    {
        await Refused(HttpStatusCode.Unauthorized, "unauthenticated", HttpMethod.Get, $"/api/enterprises/qiaofeng?access_token={firms.Qiaofeng}", null);
        using var stream = await Silo.Send(HttpMethod.Get, $"/api/cockpit/stream?access_token={firms.Qiaofeng}", null);
        Assert.Equal(HttpStatusCode.Forbidden, stream.StatusCode);
    }

    [Theory]
    [InlineData("/health")]
    [InlineData("/metrics")]
    [InlineData("/openapi/v1.json")]
    public async Task Health_metrics_and_the_openapi_document_stay_open(string path)
    {
        using var response = await Silo.Send(HttpMethod.Get, path, null);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task Refusals_are_counted_by_reason()
    {
        const string Series = "ib_http_refused_total{otel_scope_name=\"IndustryBrain\",reason=\"forbidden\"}";
        var before = await Silo.MetricSettled(Series);
        await Refused(HttpStatusCode.Forbidden, "forbidden", HttpMethod.Get, "/api/keys", firms.Official);
        Assert.Equal(before + 1, await Silo.MetricReaching(Series, before + 1));
    }
}
