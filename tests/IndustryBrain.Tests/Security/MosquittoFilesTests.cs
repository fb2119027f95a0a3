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

        public int Pid => process.Id;

        /// <summary>Starts Mosquitto on a free port with the passwd and acl files in the folder.</summary>
        public static async Task<Mosquitto> Start(string folder)
        {
            var port = FreePort.Next();
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
                catch (SocketException) when (process.HasExited)
                {
                    throw new InvalidOperationException($"mosquitto exited: {await process.StandardError.ReadToEndAsync()}");
                }
            }
        }

        public async ValueTask DisposeAsync()
        {
            if (!process.HasExited)
            {
                process.Kill();
                await process.WaitForExitAsync();
            }

            process.Dispose();
            File.Delete(Path.Combine(folder, "mosquitto.conf"));
        }
    }

    private const string BrainPassword = "brain-broker-password";

    /// <summary>Runs deploy/mosquitto/sync-credentials.sh against the silo, as production does; answers its output.</summary>
    private static async Task<string> Sync(SecuredSilo silo, string folder, int? hupPid = null)
    {
        var start = new ProcessStartInfo("bash")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            Environment = { ["IB_KEY"] = silo.AdminKey, ["IB_BRAIN_PASSWORD"] = BrainPassword },
        };
        foreach (var argument in new[] { Script(), "--api", silo.Http.BaseAddress!.ToString().TrimEnd('/'), "--out", folder })
        {
            start.ArgumentList.Add(argument);
        }

        if (hupPid is { } pid)
        {
            start.ArgumentList.Add("--hup-pid");
            start.ArgumentList.Add(pid.ToString(CultureInfo.InvariantCulture));
        }

        using var process = Process.Start(start)!;
        var output = await process.StandardOutput.ReadToEndAsync();
        var error = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        Assert.True(process.ExitCode == 0, $"sync-credentials.sh exited with {process.ExitCode}: {output}{error}");
        return output;
    }

    private static string Script() => Path.Combine(SiloBuild.RepositoryRoot, "deploy", "mosquitto", "sync-credentials.sh");

    [Fact]
    public async Task Mosquitto_with_the_brains_files_gives_terminals_the_same_rights()
    {
        await using var silo = await SecuredSilo.Start();
        await silo.Register("qiaofeng");
        await silo.Register("other");
        var password = await silo.IssueCredential("qiaofeng", "T1");
        await silo.IssueCredential("other", "T1");
        var folder = Path.Combine(Path.GetTempPath(), "ib-mosquitto-" + Guid.NewGuid().ToString("N"));
        try
        {
            await Run(silo, password, folder);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    private static async Task Run(SecuredSilo silo, string password, string folder)
    {
        Assert.Equal($"wrote {folder}/passwd (3 users) and {folder}/acl", (await Sync(silo, folder)).Trim());
        var passwd = await File.ReadAllTextAsync(Path.Combine(folder, "passwd"));
        Assert.DoesNotContain(password, passwd, StringComparison.Ordinal);
        Assert.Contains("qiaofeng/T1:$7$", passwd, StringComparison.Ordinal);

        await using var mosquitto = await Mosquitto.Start(folder);
        await using (var terminal = await MqttTerminal.ConnectAs(mosquitto.Port, "qiaofeng/T1", password))
        {
            Assert.Equal(MqttClientConnectResultCode.Success, terminal.Result.ResultCode);
            var own = await terminal.Publish("ib/qiaofeng/T1/count", """{"order":"o","step":"s","seq":1,"good":1}""");
            Assert.True(own.ReasonCode is MqttClientPublishReasonCode.Success or MqttClientPublishReasonCode.NoMatchingSubscribers, own.ReasonCode.ToString());
            Assert.Equal(MqttClientPublishReasonCode.NotAuthorized, (await terminal.Publish("ib/other/T1/count", """{"order":"o","step":"s","seq":1,"good":1}""")).ReasonCode);
            Assert.Equal(MqttClientPublishReasonCode.NotAuthorized, (await terminal.Publish("ib/qiaofeng/T1/reject", "{}")).ReasonCode);
            Assert.Equal(MqttClientPublishReasonCode.NotAuthorized, (await terminal.Publish("ib/brain/state", "{}")).ReasonCode);
            Assert.Equal(MqttClientSubscribeResultCode.GrantedQoS1, await terminal.TrySubscribe("ib/qiaofeng/T1/reject"));
            Assert.Equal(MqttClientSubscribeResultCode.GrantedQoS1, await terminal.TrySubscribe("ib/brain/state"));

            // Mosquitto grants any subscription and checks read rights on delivery: another firm's reject,
            // sent by the brain before the terminal's own, never arrives.
            await terminal.TrySubscribe("ib/other/T1/reject");
            await using var brain = await MqttTerminal.ConnectAs(mosquitto.Port, "industry-brain", BrainPassword);
            Assert.Equal(MqttClientConnectResultCode.Success, brain.Result.ResultCode);
            await brain.Publish("ib/other/T1/reject", """{"reason":"for other"}""");
            await brain.Publish("ib/qiaofeng/T1/reject", """{"reason":"for qiaofeng"}""");
            Assert.Equal("""{"reason":"for qiaofeng"}""", (await terminal.NextAny()).Payload);
        }

        await using (var wrong = await MqttTerminal.ConnectAs(mosquitto.Port, "qiaofeng/T1", password + "x"))
        {
            Assert.NotEqual(MqttClientConnectResultCode.Success, wrong.Result.ResultCode);
        }

        await using (var anonymous = await MqttTerminal.ConnectAs(mosquitto.Port, null, null))
        {
            Assert.NotEqual(MqttClientConnectResultCode.Success, anonymous.Result.ResultCode);
        }

        using (var revoke = await silo.Send(HttpMethod.Delete, "/api/enterprises/qiaofeng/terminals/T1/credential", silo.AdminKey))
        {
            Assert.Equal(HttpStatusCode.NoContent, revoke.StatusCode);
        }

        await Sync(silo, folder, hupPid: mosquitto.Pid);
        Assert.DoesNotContain("qiaofeng/T1:", await File.ReadAllTextAsync(Path.Combine(folder, "passwd")), StringComparison.Ordinal);
        for (var attempt = 0; ; attempt++)
        {
            await using var revoked = await MqttTerminal.ConnectAs(mosquitto.Port, "qiaofeng/T1", password);
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
