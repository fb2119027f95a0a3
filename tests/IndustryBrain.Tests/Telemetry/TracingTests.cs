using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Text;
using IndustryBrain.Tests.Cluster;
using IndustryBrain.Tests.Infrastructure;
using MQTTnet;
using MQTTnet.Formatter;
using MQTTnet.Protocol;

namespace IndustryBrain.Tests.Telemetry;

/// <summary>
/// With OTEL_EXPORTER_OTLP_ENDPOINT set, the silo exports traces over OTLP: a traced MQTT message
/// shows its receipt and the grain call that applied it. The collector here is a plain HTTP listener
/// that keeps what the exporter posts (OTLP/HTTP protobuf: span names travel as plain UTF-8).
/// </summary>
[Trait("Category", "Telemetry")]
public sealed class TracingTests
{
    [Fact]
    public async Task A_traced_message_is_exported_over_otlp_from_receipt_to_the_order_grain()
    {
        var collectorPort = FreePort.Next();
        var posts = new ConcurrentQueue<(string Path, byte[] Body)>();
        using var collector = new HttpListener();
        collector.Prefixes.Add($"http://127.0.0.1:{collectorPort}/");
        collector.Start();
        _ = Task.Run(async () =>
        {
            while (collector.IsListening)
            {
                var context = await collector.GetContextAsync();
                using var body = new MemoryStream();
                await context.Request.InputStream.CopyToAsync(body);
                posts.Enqueue((context.Request.Url!.AbsolutePath, body.ToArray()));
                context.Response.StatusCode = 200;
                context.Response.Close();
            }
        });

        await using var silo = await Brain.Start(new()
        {
            Mode = BrainMode.ChildProcess,
            Settings = ["--Telemetry:TraceEvery=1"],
            Environment = new Dictionary<string, string>
            {
                ["OTEL_EXPORTER_OTLP_ENDPOINT"] = $"http://127.0.0.1:{collectorPort}",
                ["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf",
                ["OTEL_BSP_SCHEDULE_DELAY"] = "200",
            },
        });
        try
        {
            await using var terminal = await MqttTerminal.ConnectAs(silo.MqttPort, null, null);
            for (var seq = 1; seq <= 3; seq++)
            {
                await terminal.Publish("ib/otlp/T1/count", $$"""{"order":"O1","step":"polish","seq":{{seq}},"good":{{seq * 10}}}""");
            }

            bool Exported(string name) => posts.Any(p => p.Path == "/v1/traces" && Contains(p.Body, name));
            Assert.True(await Eventually.Holds(() => Task.FromResult(Exported("ib.ingest.receive") && Exported("ib.ingest.apply") && Exported("IProductionOrderGrain")), TimeSpan.FromSeconds(60)),
                $"spans of the receipt, the apply and the grain call reach the collector; posts: {string.Join(", ", posts.Select(p => p.Path))}");
        }
        finally
        {
            collector.Stop();
        }
    }

    private static bool Contains(byte[] body, string text) => body.AsSpan().IndexOf(Encoding.UTF8.GetBytes(text)) >= 0;
}
