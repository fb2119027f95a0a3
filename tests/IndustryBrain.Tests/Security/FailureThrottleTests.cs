using System.Net;
using MQTTnet;

namespace IndustryBrain.Tests.Security;

/// <summary>A silo with a small budget of wrong secrets (per key id, per username and per address) and keys trusted for a minute.</summary>
public sealed class ThrottleSilo : IAsyncLifetime
{
    public const int Burst = 5;
    public SecuredSilo Silo { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Silo = await SecuredSilo.Start(settings: ["--Auth:CacheSeconds=60", "--Auth:FailuresPerSecond=1", $"--Auth:FailureBurst={Burst}"]);
        await Silo.Register("firm");
    }

    public async Task DisposeAsync() => await Silo.DisposeAsync();
}

public sealed class FailureThrottleTests(ThrottleSilo throttle) : IClassFixture<ThrottleSilo>
{
    private SecuredSilo Silo => throttle.Silo;

    [Fact]
    public async Task Wrong_secrets_beyond_the_failure_budget_are_refused_by_rate_before_they_are_hashed()
    {
        var (keyId, key) = await Silo.CreateKey("official");
        var (otherId, _) = await Silo.CreateKey("official");
        var (_, unused) = await Silo.CreateKey("official");
        await Silo.Ok(HttpMethod.Get, "/api/bundles", key); // now trusted for Auth:CacheSeconds

        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 30; i++)
        {
            using var response = await Silo.Send(HttpMethod.Get, "/api/bundles", $"ib_{keyId}_{new string((char)('a' + (i % 26)), 52)}");
            statuses.Add(response.StatusCode);
            if (response.StatusCode == HttpStatusCode.TooManyRequests)
            {
                Assert.Equal("rate-limited", await SecuredSilo.Reason(response));
                Assert.True(response.Headers.RetryAfter?.Delta >= TimeSpan.FromSeconds(1));
            }
        }

        // A 401 is a secret that was hashed; the rest were refused by rate, unhashed.
        Assert.InRange(statuses.Count(s => s == HttpStatusCode.Unauthorized), ThrottleSilo.Burst, ThrottleSilo.Burst + 5);
        Assert.Equal(30, statuses.Count(s => s is HttpStatusCode.Unauthorized or HttpStatusCode.TooManyRequests));

        // The address is counted too: a wrong secret on another key id from here is refused by rate as well.
        using (var other = await Silo.Send(HttpMethod.Get, "/api/bundles", $"ib_{otherId}_{new string('z', 52)}"))
        {
            Assert.Equal(HttpStatusCode.TooManyRequests, other.StatusCode);
        }

        // The key's holder, already verified, goes on; so does a new key once the budget has refilled.
        using (var holder = await Silo.Send(HttpMethod.Get, "/api/bundles", key))
        {
            Assert.Equal(HttpStatusCode.OK, holder.StatusCode);
        }

        await Silo.Ok(HttpMethod.Get, "/api/bundles", unused);
    }

    [Fact]
    public async Task Wrong_terminal_passwords_beyond_the_failure_budget_are_refused_by_rate()
    {
        var password = await Silo.IssueCredential("firm", "T9");
        var codes = new List<MqttClientConnectResultCode>();
        for (var i = 0; i < 20; i++)
        {
            await using var wrong = await MqttTerminal.ConnectAs(Silo.MqttPort, "firm/T9", "wrong-" + i);
            codes.Add(wrong.Result.ResultCode);
        }

        Assert.InRange(codes.Count(c => c == MqttClientConnectResultCode.BadUserNameOrPassword), ThrottleSilo.Burst, ThrottleSilo.Burst + 5);
        Assert.Contains(MqttClientConnectResultCode.QuotaExceeded, codes);

        // The budget refills: the right password gets in again.
        for (var attempt = 0; ; attempt++)
        {
            await using var right = await MqttTerminal.ConnectAs(Silo.MqttPort, "firm/T9", password);
            if (right.Connected)
            {
                break;
            }

            Assert.True(attempt < 60, $"the right password is still refused: {right.Result.ResultCode}");
            await Task.Delay(500);
        }
    }

    [Fact]
    public async Task The_dashboard_is_off_unless_configured()
    {
        using var dashboard = await Silo.Send(HttpMethod.Get, "/dashboard", Silo.AdminKey);
        Assert.Equal(HttpStatusCode.NotFound, dashboard.StatusCode);
        using var trace = await Silo.Send(HttpMethod.Get, "/dashboard/Trace", Silo.AdminKey);
        Assert.Equal(HttpStatusCode.NotFound, trace.StatusCode);
    }
}
