using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using IndustryBrain.Tests.Infrastructure;
using MQTTnet;
using MQTTnet.Protocol;

namespace IndustryBrain.Tests.Cockpit;

/// <summary>
/// A real silo for the cockpit's tests (<see cref="InProcessBrain"/>: Kestrel, Orleans, the embedded MQTT
/// broker and SQLite on free loopback ports), with an MQTT connection that publishes as the district's
/// terminals and helpers to register, plan and read the cockpit.
/// </summary>
public sealed class CockpitSilo : IAsyncDisposable
{
    public const string AdminKey = InProcessBrain.AdminKey;

    private readonly InProcessBrain _brain;
    private IMqttClient _mqtt;

    private CockpitSilo(InProcessBrain brain, IMqttClient mqtt)
    {
        _brain = brain;
        _mqtt = mqtt;
        Client = brain.Http();
    }

    public Uri Http => _brain.BaseAddress;

    public int MqttPort => _brain.MqttPort;

    public HttpClient Client { get; }

    public static async Task<CockpitSilo> Start(params string[] extraArgs)
    {
        var brain = await InProcessBrain.Start(null, extraArgs);
        return new CockpitSilo(brain, await Connect(brain.MqttPort));
    }

    /// <summary>A clean stop and a start on the same ports and storage.</summary>
    public async Task Restart()
    {
        await Disconnect();
        await _brain.Stop();
        await _brain.StartAgain();
        _mqtt = await Connect(_brain.MqttPort);
    }

    private static async Task<IMqttClient> Connect(int port)
    {
        var mqtt = new MqttClientFactory().CreateMqttClient();
        await mqtt.ConnectAsync(new MqttClientOptionsBuilder()
            .WithTcpServer("127.0.0.1", port)
            .WithProtocolVersion(MQTTnet.Formatter.MqttProtocolVersion.V500)
            .WithClientId("cockpit-test-" + Guid.NewGuid().ToString("N")[..8])
            .Build());
        return mqtt;
    }

    private async Task Disconnect()
    {
        try
        {
            await _mqtt.DisconnectAsync();
        }
        catch (Exception)
        {
            // The broker may be gone already.
        }

        _mqtt.Dispose();
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
        await Disconnect();
        await _brain.DisposeAsync();
    }
}
