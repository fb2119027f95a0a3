using IndustryBrain.Silo.Security;

namespace IndustryBrain.Tests.Security;

public sealed class AccessRuleTests
{
    private static readonly Caller Admin = Caller.Admin("admin");
    private static readonly Caller Official = new("k1", "official", null);
    private static readonly Caller Qiaofeng = new("k2", "enterprise", "qiaofeng");

    private static bool Allows(Caller? caller, string method, string path, string? filter = null) =>
        AccessRule.Allows(caller, method, path.Split('/', StringSplitOptions.RemoveEmptyEntries), filter);

    [Theory]
    [InlineData("GET", "/api/enterprises/qiaofeng")]
    [InlineData("PUT", "/api/enterprises/qiaofeng")]
    [InlineData("POST", "/api/keys")]
    [InlineData("DELETE", "/api/keys/abc")]
    [InlineData("GET", "/api/broker/passwd")]
    [InlineData("POST", "/api/bundles/steel/close")]
    [InlineData("PATCH", "/api/anything/new")]
    public void An_administrator_may_do_everything(string method, string path) => Assert.True(Allows(Admin, method, path));

    [Theory]
    [InlineData("GET", "/api/enterprises/qiaofeng")]
    [InlineData("GET", "/api/enterprises/other/orders/QF-1")]
    [InlineData("HEAD", "/api/enterprises/other/orders")]
    [InlineData("GET", "/api/cockpit")]
    [InlineData("GET", "/api/cockpit/stream")]
    [InlineData("GET", "/api/bundles/steel")]
    [InlineData("GET", "/api/rejects")]
    [InlineData("GET", "/api/some-later-report")]
    public void An_official_reads_everything(string method, string path) => Assert.True(Allows(Official, method, path));

    [Theory]
    [InlineData("PUT", "/api/enterprises/qiaofeng")]
    [InlineData("PUT", "/api/enterprises/qiaofeng/orders/QF-1")]
    [InlineData("PUT", "/api/bundles/steel/pledges/qiaofeng")]
    [InlineData("DELETE", "/api/bundles/steel/pledges/qiaofeng")]
    [InlineData("POST", "/api/enterprises/qiaofeng/terminals/T1/credential")]
    [InlineData("POST", "/api/keys")]
    [InlineData("GET", "/api/keys")]
    [InlineData("GET", "/api/broker/acl")]
    [InlineData("GET", "/API/Keys")]
    public void An_official_writes_nothing_and_reads_no_secrets(string method, string path) => Assert.False(Allows(Official, method, path));

    [Theory]
    [InlineData("GET", "/api/enterprises/qiaofeng")]
    [InlineData("GET", "/api/enterprises/qiaofeng/orders")]
    [InlineData("GET", "/api/enterprises/qiaofeng/orders/QF-1")]
    [InlineData("PUT", "/api/enterprises/qiaofeng/orders/QF-1")]
    [InlineData("POST", "/api/enterprises/qiaofeng/terminals/T1/credential")]
    [InlineData("DELETE", "/api/enterprises/qiaofeng/terminals/T1/credential")]
    [InlineData("GET", "/api/bundles")]
    [InlineData("GET", "/api/bundles/steel")]
    [InlineData("GET", "/api/bundles/steel/pledges/qiaofeng")]
    [InlineData("PUT", "/api/bundles/steel/pledges/qiaofeng")]
    [InlineData("DELETE", "/api/bundles/steel/pledges/qiaofeng")]
    [InlineData("GET", "/API/Enterprises/qiaofeng/Orders/QF-1")]
    public void An_enterprise_uses_its_own_profile_orders_terminals_and_pledges(string method, string path) =>
        Assert.True(Allows(Qiaofeng, method, path));

    [Theory]
    [InlineData("GET", "/api/enterprises/other")]
    [InlineData("GET", "/api/enterprises/other/orders/QF-1")]
    [InlineData("PUT", "/api/enterprises/other/orders/QF-1")]
    [InlineData("GET", "/api/enterprises/Qiaofeng/orders")]
    [InlineData("GET", "/api/enterprises/qiaofeng2/orders")]
    [InlineData("GET", "/api/enterprises")]
    [InlineData("PUT", "/api/enterprises/qiaofeng")]
    [InlineData("DELETE", "/api/enterprises/qiaofeng")]
    [InlineData("POST", "/api/enterprises/other/terminals/T1/credential")]
    [InlineData("PUT", "/api/bundles/steel")]
    [InlineData("POST", "/api/bundles/steel/close")]
    [InlineData("PUT", "/api/bundles/steel/pledges/other")]
    [InlineData("DELETE", "/api/bundles/steel/pledges/other")]
    [InlineData("POST", "/api/bundles/steel/pledges/qiaofeng")]
    [InlineData("GET", "/api/cockpit")]
    [InlineData("GET", "/api/cockpit/stream")]
    [InlineData("GET", "/api/rejects")]
    [InlineData("GET", "/api/keys")]
    [InlineData("POST", "/api/keys")]
    [InlineData("GET", "/api/broker/passwd")]
    [InlineData("GET", "/api")]
    public void An_enterprise_touches_nothing_of_another_firm_or_the_district(string method, string path) =>
        Assert.False(Allows(Qiaofeng, method, path));

    [Fact]
    public void An_enterprise_reads_the_reject_log_only_filtered_to_itself()
    {
        Assert.True(Allows(Qiaofeng, "GET", "/api/rejects", "qiaofeng"));
        Assert.False(Allows(Qiaofeng, "GET", "/api/rejects", "other"));
        Assert.False(Allows(Qiaofeng, "GET", "/api/rejects", null));
    }

    [Fact]
    public void An_enterprise_reads_its_own_history_and_no_one_elses()
    {
        Assert.True(Allows(Qiaofeng, "GET", "/api/history/enterprises/qiaofeng/orders/QF-1/timeline"));
        Assert.True(Allows(Qiaofeng, "GET", "/api/history/output", "qiaofeng"));
        Assert.False(Allows(Qiaofeng, "GET", "/api/history/enterprises/other/orders/QF-1/timeline"));
        Assert.False(Allows(Qiaofeng, "GET", "/api/history/output", "other"));
        Assert.False(Allows(Qiaofeng, "GET", "/api/history/output", null));
        Assert.False(Allows(Qiaofeng, "GET", "/api/history", "qiaofeng"));
        Assert.False(Allows(Qiaofeng, "DELETE", "/api/history/enterprises/qiaofeng/orders/QF-1/timeline"));
        Assert.True(Allows(Official, "GET", "/api/history/output"));
        Assert.True(Allows(Official, "GET", "/api/history/enterprises/other/orders/QF-1/timeline"));
        Assert.False(Allows(null, "GET", "/api/history/output"));
    }

    [Theory]
    [InlineData("GET", "/api/enterprises/qiaofeng")]
    [InlineData("GET", "/api/bundles")]
    [InlineData("PUT", "/api/enterprises/qiaofeng")]
    [InlineData("GET", "/Api/cockpit")]
    public void Without_a_key_nothing_of_the_api_is_allowed(string method, string path) => Assert.False(Allows(null, method, path));

    [Theory]
    [InlineData("GET", "/health")]
    [InlineData("GET", "/metrics")]
    [InlineData("GET", "/openapi/v1.json")]
    [InlineData("GET", "/")]
    [InlineData("GET", "/index.html")]
    [InlineData("GET", "/apiary")]
    [InlineData("GET", "/dashboarding")]
    public void Paths_outside_the_api_are_open(string method, string path) => Assert.True(Allows(null, method, path));

    [Theory]
    [InlineData("GET", "/dashboard")]
    [InlineData("GET", "/Dashboard/Trace")]
    [InlineData("GET", "/dashboard/HistoricalStats/x")]
    [InlineData("POST", "/debug/gc")]
    [InlineData("GET", "/DEBUG/anything")]
    public void The_operators_tools_outside_the_api_are_the_administrators_alone(string method, string path)
    {
        Assert.True(Allows(Admin, method, path));
        Assert.False(Allows(null, method, path));
        Assert.False(Allows(Official, method, path));
        Assert.False(Allows(Qiaofeng, method, path));
    }

    [Fact]
    public void An_enterprise_key_without_an_enterprise_or_an_unknown_role_is_refused()
    {
        Assert.False(Allows(new Caller("k", "enterprise", null), "GET", "/api/bundles"));
        Assert.False(Allows(new Caller("k", "enterprise", ""), "GET", "/api/enterprises//orders"));
        Assert.False(Allows(new Caller("k", "superuser", null), "GET", "/api/bundles"));
    }
}
