using System.Diagnostics;
using IndustryBrain.Tests.Infrastructure;
using static IndustryBrain.Tests.EndToEnd.Contract;

namespace IndustryBrain.Tests.EndToEnd;

/// <summary>Terminals that are not .NET: Debian's mosquitto_pub publishing to the real silo over TCP, MQTT 5 and 3.1.1.</summary>
[Collection(IngestSilo.Name)]
public sealed class MosquittoEndToEndTests(SharedBrain brain)
{
    private readonly string _enterprise = NewEnterprise("mosq");

    private string[] Connection(string version) => ["-h", "127.0.0.1", "-p", brain.MqttPort.ToString(System.Globalization.CultureInfo.InvariantCulture), "-V", version, "-q", "1"];

    private static async Task<(int ExitCode, string Output)> MosquittoPub(params string[] arguments)
    {
        var start = new ProcessStartInfo("mosquitto_pub") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(Eventually.Deadline);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill();
            throw new TimeoutException($"mosquitto_pub {string.Join(' ', arguments)} did not finish within {Eventually.Deadline}");
        }

        return (process.ExitCode, (await output) + (await error));
    }

    private async Task Publish(string version, string terminal, string payload, params string[] more)
    {
        var (exitCode, output) = await MosquittoPub([.. Connection(version), "-i", $"{_enterprise}.{terminal}", "-t", $"ib/{_enterprise}/{terminal}/count", "-m", payload, .. more]);
        Assert.True(exitCode == 0 && output.Length == 0, $"mosquitto_pub exited with {exitCode}: {output}");
    }

    [Theory]
    [InlineData("mqttv5")]
    [InlineData("mqttv311")]
    public async Task Readings_published_with_mosquitto_pub_are_applied(string version)
    {
        await Publish(version, "T1", Reading("QF-1", "forge", 1, 10, 1));
        await Publish(version, "T1", "[" + Reading("QF-1", "forge", 3, 30, 2) + "," + Reading("QF-1", "forge", 2, 20, 2) + "]");
        await Publish(version, "T1", Reading("QF-1", "forge", 2, 20, 2));
        await Publish(version, "T2", Reading("QF-1", "pack", 1, 5));

        await brain.Until(OrderPath(_enterprise, "QF-1"), Shows(("forge", 30, 2), ("pack", 5, 0)), "forge 30/2 and pack 5/0");
    }

    [Fact]
    public async Task A_file_of_1000_readings_is_applied_in_full()
    {
        var file = Path.Combine(Path.GetTempPath(), $"ib-readings-{Guid.NewGuid():N}.json");
        await File.WriteAllTextAsync(file, "[" + string.Join(",", Enumerable.Range(1, 1000).Select(seq =>
            $$"""{"order":"BULK","step":"polish","seq":{{seq}},"good":{{seq * 3}},"scrap":{{seq / 10}}}""")) + "]");
        try
        {
            var (exitCode, output) = await MosquittoPub([.. Connection("mqttv5"), "-i", $"{_enterprise}.T1", "-t", $"ib/{_enterprise}/T1/count", "-f", file]);

            Assert.True(exitCode == 0, output);
            await brain.Until(OrderPath(_enterprise, "BULK"), Shows(("polish", 3000, 100)), "polish 3000/100");
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public async Task A_terminal_on_mqtt5_may_leave_its_client_id_to_the_broker()
    {
        var (exitCode, output) = await MosquittoPub([.. Connection("mqttv5"), "-t", $"ib/{_enterprise}/T1/count", "-m", Reading("QF-2", "forge", 1, 7)]);

        Assert.True(exitCode == 0, output);
        await brain.Until(OrderPath(_enterprise, "QF-2"), Shows(("forge", 7, 0)), "forge 7");
    }

    [Fact]
    public async Task A_refused_message_fails_in_mosquitto_pub_with_the_puback_reason_and_is_logged()
    {
        var (_, output) = await MosquittoPub([.. Connection("mqttv5"), "-i", $"{_enterprise}.T7", "-t", $"ib/{_enterprise}/T7/count", "-m", "{\"order\":"]);

        Assert.Contains("Payload format invalid", output);
        var rejects = await brain.Until($"api/rejects?enterprise={_enterprise}", r => r.GetArrayLength() == 1, "one rejection");
        Assert.Equal(("T7", "malformed-json"), (rejects[0].GetProperty("terminal").GetString(), rejects[0].GetProperty("reason").GetString()));
    }

    [Fact]
    public async Task A_mosquitto_terminal_that_dies_is_taken_offline_by_its_last_will()
    {
        await Register(brain, _enterprise);
        var status = $"ib/{_enterprise}/T1/status";
        var start = new ProcessStartInfo("mosquitto_pub") { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in (string[])[.. Connection("mqttv5"), "-i", $"{_enterprise}.T1", "-t", status, "-r", "-l",
            "--will-topic", status, "--will-payload", """{"state":"offline"}""", "--will-retain", "--will-qos", "1"])
        {
            start.ArgumentList.Add(argument);
        }

        using var terminal = Process.Start(start)!;
        try
        {
            await terminal.StandardInput.WriteLineAsync("""{"state":"running","seq":1}""");
            await terminal.StandardInput.FlushAsync();
            await brain.Until($"api/enterprises/{_enterprise}", e => e.GetProperty("terminalsOnline").GetInt32() == 1, "T1 online");

            terminal.Kill();
            await terminal.WaitForExitAsync();

            var view = await brain.Until($"api/enterprises/{_enterprise}", e => e.GetProperty("terminalsOnline").GetInt32() == 0, "T1 offline by its Last Will");
            Assert.Equal("offline", view.GetProperty("terminals")[0].GetProperty("state").GetString());
        }
        finally
        {
            if (!terminal.HasExited)
            {
                terminal.Kill();
            }
        }
    }
}
