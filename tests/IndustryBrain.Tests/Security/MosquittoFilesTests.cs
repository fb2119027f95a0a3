using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using MQTTnet;

namespace IndustryBrain.Tests.Security;

/// <summary>
/// Production runs Mosquitto: the password and ACL files the brain writes from its registry must give a
/// real Mosquitto the same rights as the embedded broker.
/// </summary>
public sealed class MosquittoFilesTests
{
    private sealed class Mosquitto(Process process, int port, string folder) : IAsyncDisposable
    {
        public int Port => port;

        public static async Task<Mosquitto> Start(string passwd, string acl)
        {
            var folder = Path.Combine(Path.GetTempPath(), "ib-mosquitto-" + Guid.NewGuid().ToString("N"));
            Directory.CreateDirectory(folder);
            var port = SecuredSilo.FreePort();
            await File.WriteAllTextAsync(Path.Combine(folder, "passwd"), passwd);
            await File.WriteAllTextAsync(Path.Combine(folder, "acl"), acl);
            await File.WriteAllTextAsync(Path.Combine(folder, "mosquitto.conf"), $"""
                listener {port} 127.0.0.1
                allow_anonymous false
                password_file {Path.Combine(folder, "passwd")}
                acl_file {Path.Combine(folder, "acl")}
                """);
            var process = Process.Start(new ProcessStartInfo("mosquitto", ["-c", Path.Combine(folder, "mosquitto.conf")])
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            }) ?? throw new InvalidOperationException("mosquitto did not start");
            var mosquitto = new Mosquitto(process, port, folder);
            for (var attempt = 0; ; attempt++)
            {
                try
                {
                    using var probe = new TcpClient();
                    await probe.ConnectAsync(IPAddress.Loopback, port);
                    return mosquitto;
                }
                catch (SocketException) when (attempt < 100 && !process.HasExited)
                {
                    await Task.Delay(100);
                }
            }
        }

        /// <summary>Writes new files and has Mosquitto reload them (SIGHUP), as deploy/ does.</summary>
        public async Task Reload(string passwd, string acl)
        {
            await File.WriteAllTextAsync(Path.Combine(folder, "passwd"), passwd);
            await File.WriteAllTextAsync(Path.Combine(folder, "acl"), acl);
            using var hup = Process.Start("kill", ["-HUP", process.Id.ToString(CultureInfo.InvariantCulture)]);
            await hup.WaitForExitAsync();
        }

        public async ValueTask DisposeAsync()
        {
            if (!process.HasExited)
            {
                process.Kill();
                await process.WaitForExitAsync();
            }

            process.Dispose();
            Directory.Delete(folder, recursive: true);
        }
    }

    private const string BrainPassword = "brain-broker-password";

    /// <summary>The brain's two files, with the brain's own broker user added as deploy/ adds it (mosquitto_passwd).</summary>
    private static async Task<(string Passwd, string Acl)> Files(SecuredSilo silo)
    {
        async Task<string> Text(string path)
        {
            using var response = await silo.Send(HttpMethod.Get, path, silo.AdminKey);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            return await response.Content.ReadAsStringAsync();
        }

        var passwd = await Text("/api/broker/passwd");
        var file = Path.GetTempFileName();
        try
        {
            await File.WriteAllTextAsync(file, passwd);
            using var add = Process.Start("mosquitto_passwd", ["-b", file, "industry-brain", BrainPassword]);
            await add.WaitForExitAsync();
            return (await File.ReadAllTextAsync(file), await Text("/api/broker/acl"));
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public async Task Mosquitto_with_the_brains_files_gives_terminals_the_same_rights()
    {
        await using var silo = await SecuredSilo.Start();
        await silo.Register("qiaofeng");
        await silo.Register("other");
        var password = await silo.IssueCredential("qiaofeng", "T1");
        await silo.IssueCredential("other", "T1");
        var (passwd, acl) = await Files(silo);
        Assert.Equal(3, passwd.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
        Assert.DoesNotContain(password, passwd, StringComparison.Ordinal);

        await using var mosquitto = await Mosquitto.Start(passwd, acl);
        await using (var terminal = await Terminal.Connect(mosquitto.Port, "qiaofeng/T1", password))
        {
            Assert.Equal(MqttClientConnectResultCode.Success, terminal.Result.ResultCode);
            var own = await terminal.Publish("ib/qiaofeng/T1/count", """{"order":"o","step":"s","seq":1,"good":1}""");
            Assert.True(own.ReasonCode is MqttClientPublishReasonCode.Success or MqttClientPublishReasonCode.NoMatchingSubscribers, own.ReasonCode.ToString());
            Assert.Equal(MqttClientPublishReasonCode.NotAuthorized, (await terminal.Publish("ib/other/T1/count", """{"order":"o","step":"s","seq":1,"good":1}""")).ReasonCode);
            Assert.Equal(MqttClientPublishReasonCode.NotAuthorized, (await terminal.Publish("ib/qiaofeng/T1/reject", "{}")).ReasonCode);
            Assert.Equal(MqttClientPublishReasonCode.NotAuthorized, (await terminal.Publish("ib/brain/state", "{}")).ReasonCode);
            Assert.Equal(MqttClientSubscribeResultCode.GrantedQoS1, await terminal.Subscribe("ib/qiaofeng/T1/reject"));
            Assert.Equal(MqttClientSubscribeResultCode.GrantedQoS1, await terminal.Subscribe("ib/brain/state"));

            // Mosquitto grants any subscription and checks read rights on delivery: another firm's reject,
            // sent by the brain before the terminal's own, never arrives.
            await terminal.Subscribe("ib/other/T1/reject");
            await using var brain = await Terminal.Connect(mosquitto.Port, "industry-brain", BrainPassword);
            Assert.Equal(MqttClientConnectResultCode.Success, brain.Result.ResultCode);
            await brain.Publish("ib/other/T1/reject", """{"reason":"for other"}""");
            await brain.Publish("ib/qiaofeng/T1/reject", """{"reason":"for qiaofeng"}""");
            Assert.Equal("""{"reason":"for qiaofeng"}""", await terminal.NextAny());
        }

        await using (var wrong = await Terminal.Connect(mosquitto.Port, "qiaofeng/T1", password + "x"))
        {
            Assert.NotEqual(MqttClientConnectResultCode.Success, wrong.Result.ResultCode);
        }

        await using (var anonymous = await Terminal.Connect(mosquitto.Port, null, null))
        {
            Assert.NotEqual(MqttClientConnectResultCode.Success, anonymous.Result.ResultCode);
        }

        using (var revoke = await silo.Send(HttpMethod.Delete, "/api/enterprises/qiaofeng/terminals/T1/credential", silo.AdminKey))
        {
            Assert.Equal(HttpStatusCode.NoContent, revoke.StatusCode);
        }

        var (revokedPasswd, revokedAcl) = await Files(silo);
        Assert.DoesNotContain("qiaofeng/T1:", revokedPasswd, StringComparison.Ordinal);
        await mosquitto.Reload(revokedPasswd, revokedAcl);
        for (var attempt = 0; ; attempt++)
        {
            await using var revoked = await Terminal.Connect(mosquitto.Port, "qiaofeng/T1", password);
            if (revoked.Result.ResultCode != MqttClientConnectResultCode.Success)
            {
                break;
            }

            // SIGHUP is handled between Mosquitto's loops; give it a moment.
            Assert.True(attempt < 50, "the revoked terminal still connects after the reload");
            await Task.Delay(100);
        }
    }
}
