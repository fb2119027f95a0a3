using System.Net;
using MQTTnet;

namespace IndustryBrain.Tests.Security;

public sealed class SecretsTests
{
    [Fact]
    public async Task No_key_or_password_shows_in_logs_metrics_or_error_answers()
    {
        // Everything logged, down to Debug, while keys and passwords are made, used, misused and revoked.
        await using var silo = await SecuredSilo.Start("logged-admin-key-4f1c", "--Logging:LogLevel:Default=Debug", "--Logging:LogLevel:IndustryBrain=Debug");
        await silo.Register("qiaofeng");
        var (keyId, key) = await silo.CreateKey("enterprise", "qiaofeng");
        var password = await silo.IssueCredential("qiaofeng", "T1");
        var secrets = new[] { "logged-admin-key-4f1c", key, password };
        var answers = new List<string>();

        async Task Answer(HttpMethod method, string path, string? bearer, object? body = null)
        {
            using var response = await silo.Send(method, path, bearer, body);
            answers.Add(await response.Content.ReadAsStringAsync());
        }

        await Answer(HttpMethod.Get, "/api/enterprises/qiaofeng", key);
        await Answer(HttpMethod.Get, "/api/enterprises/other", key);
        await Answer(HttpMethod.Get, "/api/keys", key);
        await Answer(HttpMethod.Get, "/api/enterprises/qiaofeng", key + "x");
        await Answer(HttpMethod.Get, "/api/enterprises/qiaofeng", password);
        await Answer(HttpMethod.Get, $"/api/cockpit/stream?access_token={key}", null);
        await Answer(HttpMethod.Put, "/api/enterprises/other/orders/O1", key, new { product = "x" });
        await Answer(HttpMethod.Post, "/api/keys", "logged-admin-key-4f1c", new { role = "superuser" });

        await using (var terminal = await MqttTerminal.ConnectAs(silo.MqttPort, "qiaofeng/T1", password))
        {
            await terminal.Publish("ib/other/T1/count", """{"order":"o","step":"x","seq":1,"good":1}""");
            await terminal.Publish("ib/qiaofeng/T1/count", """{"order":"o","step":"x","seq":"one","good":1}""");
        }

        await using (var wrong = await MqttTerminal.ConnectAs(silo.MqttPort, "qiaofeng/T1", password + "x"))
        {
            Assert.Equal(MqttClientConnectResultCode.BadUserNameOrPassword, wrong.Result.ResultCode);
        }

        await Answer(HttpMethod.Delete, "/api/enterprises/qiaofeng/terminals/T1/credential", key);
        await Answer(HttpMethod.Delete, $"/api/keys/{keyId}", "logged-admin-key-4f1c");
        await silo.Drained();
        var metrics = await silo.Http.GetStringAsync("/metrics");
        var rejects = await silo.Ok(HttpMethod.Get, "/api/rejects", "logged-admin-key-4f1c");

        foreach (var secret in secrets)
        {
            Assert.DoesNotContain(secret, silo.Output, StringComparison.Ordinal);
            Assert.DoesNotContain(secret, metrics, StringComparison.Ordinal);
            Assert.All(answers, answer => Assert.DoesNotContain(secret, answer, StringComparison.Ordinal));
            Assert.DoesNotContain(secret, rejects!.ToJsonString(), StringComparison.Ordinal);
        }

        // The log really was written down to Debug, and saw the refusals.
        Assert.Contains(silo.Output.Split('\n'), line => line.StartsWith("dbug:", StringComparison.Ordinal));
        Assert.Contains("bad-credentials", silo.Output, StringComparison.Ordinal);
    }
}
