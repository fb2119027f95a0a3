using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json;
using System.Text.Json.Nodes;
using IndustryBrain.Silo.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Logging;
using MQTTnet;
using MQTTnet.Protocol;

namespace IndustryBrain.Tests.Cockpit;

/// <summary>
/// A real silo for the cockpit's tests: Kestrel, Orleans, the embedded MQTT broker and SQLite, on free
/// loopback ports with a temporary folder, started in this process and stopped with it.
/// </summary>
public sealed class CockpitSilo : IAsyncDisposable
{
    public const string AdminKey = "cockpit-test-admin-key";

    private readonly WebApplication _app;
    private readonly string _storage;
    private readonly IMqttClient _mqtt;

    private CockpitSilo(WebApplication app, string storage, Uri http, int mqttPort, IMqttClient mqtt)
    {
        _app = app;
        _storage = storage;
        _mqtt = mqtt;
        Http = http;
        MqttPort = mqttPort;
        Client = new HttpClient { BaseAddress = http, Timeout = TimeSpan.FromSeconds(30) };
        Client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", AdminKey);
    }

    public Uri Http { get; }

    public int MqttPort { get; }

    public HttpClient Client { get; }

    public static async Task<CockpitSilo> Start(params string[] extraArgs)
    {
        var ports = FreePorts(4);
        var storage = Path.Combine(Path.GetTempPath(), "ib-cockpit-test-" + Guid.NewGuid().ToString("N"));
        string[] args =
        [
            $"--urls=http://127.0.0.1:{ports[0]}", $"--Mqtt:Port={ports[1]}", $"--Storage:Path={storage}",
            $"--Orleans:SiloPort={ports[2]}", $"--Orleans:GatewayPort={ports[3]}", $"--Auth:AdminKey={AdminKey}", "--Mqtt:RequireCredentials=false", .. extraArgs,
        ];
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.AddIndustryBrain();
        var app = builder.Build();
        app.MapIndustryBrain();
        await app.StartAsync();

        var mqtt = new MqttClientFactory().CreateMqttClient();
        await mqtt.ConnectAsync(new MqttClientOptionsBuilder()
            .WithTcpServer("127.0.0.1", ports[1])
            .WithProtocolVersion(MQTTnet.Formatter.MqttProtocolVersion.V500)
            .WithClientId("cockpit-test-" + Guid.NewGuid().ToString("N")[..8])
            .Build());
        return new CockpitSilo(app, storage, new Uri($"http://127.0.0.1:{ports[0]}/"), ports[1], mqtt);
    }

    public async Task Register(string enterprise, string name, string chainNode, string uscc = "91500111MA5U3Q7X1D")
    {
        var answer = await Client.PutAsJsonAsync($"api/enterprises/{enterprise}", new { name, uscc, chainNode, park = "龙水五金产业园", tier = "规上" });
        Assert.True(answer.IsSuccessStatusCode, $"registering {enterprise}: {(int)answer.StatusCode} {await answer.Content.ReadAsStringAsync()}");
    }

    public async Task Plan(string enterprise, string order, long quantity, decimal unitPrice, DateTimeOffset due, params string[] steps)
    {
        var answer = await Client.PutAsJsonAsync($"api/enterprises/{enterprise}/orders/{order}", new
        {
            product = "slaughter knife 8in",
            quantity,
            unitPrice,
            due,
            routing = steps.Select(s => new { step = s }).ToArray(),
        });
        Assert.True(answer.IsSuccessStatusCode, $"planning {enterprise}/{order}: {(int)answer.StatusCode} {await answer.Content.ReadAsStringAsync()}");
    }

    /// <summary>A terminal's cumulative count, published over MQTT at QoS 1 as the contract says.</summary>
    public Task Count(string enterprise, string terminal, string order, string step, long seq, long good) =>
        Publish($"ib/{enterprise}/{terminal}/count", JsonSerializer.Serialize(new { order, step, seq, good, scrap = 0 }));

    public Task Status(string enterprise, string terminal, string state, long seq, string? fault = null) =>
        Publish($"ib/{enterprise}/{terminal}/status", JsonSerializer.Serialize(new { state, seq, fault }), retain: true);

    private Task Publish(string topic, string payload, bool retain = false) => _mqtt.PublishAsync(new MqttApplicationMessageBuilder()
        .WithTopic(topic)
        .WithPayload(payload)
        .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce)
        .WithRetainFlag(retain)
        .Build());

    public async Task<JsonNode> Cockpit()
    {
        var answer = await Client.GetAsync("api/cockpit");
        Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
        return JsonNode.Parse(await answer.Content.ReadAsStringAsync())!;
    }

    /// <summary>
    /// The cockpit once it shows what <paramref name="shows"/> looks for. Roll-ups travel order, then
    /// enterprise, then district, each about once a second; this waits for them, up to a minute, and
    /// fails with the last view if they never come.
    /// </summary>
    public async Task<JsonNode> CockpitOnce(Func<JsonNode, bool> shows)
    {
        var until = DateTime.UtcNow.AddMinutes(1);
        JsonNode view;
        do
        {
            view = await Cockpit();
            if (shows(view))
            {
                return view;
            }

            await Task.Delay(200);
        }
        while (DateTime.UtcNow < until);

        Assert.Fail($"the cockpit never showed what the test waited for; last view: {view.ToJsonString()}");
        return view;
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        try
        {
            await _mqtt.DisconnectAsync();
        }
        catch (Exception)
        {
            // The broker may be gone already.
        }

        _mqtt.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
        try
        {
            Directory.Delete(_storage, recursive: true);
        }
        catch (IOException)
        {
            // A file still closing; the temporary folder is cleaned by the system.
        }
    }

    private static int[] FreePorts(int count)
    {
        var listeners = Enumerable.Range(0, count).Select(_ => new TcpListener(IPAddress.Loopback, 0)).ToArray();
        foreach (var listener in listeners)
        {
            listener.Start();
        }

        var ports = listeners.Select(l => ((IPEndPoint)l.LocalEndpoint).Port).ToArray();
        foreach (var listener in listeners)
        {
            listener.Stop();
        }

        return ports;
    }
}
