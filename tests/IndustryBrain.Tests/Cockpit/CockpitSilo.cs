using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using IndustryBrain.Tests.Infrastructure;

namespace IndustryBrain.Tests.Cockpit;

/// <summary>
/// A real brain for the cockpit's tests (<see cref="Brain"/> in process: Kestrel, Orleans, the embedded MQTT
/// broker and SQLite on free loopback ports), with an MQTT connection that publishes as the district's
/// terminals and helpers to register, plan and read the cockpit.
/// </summary>
public sealed class CockpitSilo : IAsyncDisposable
{
    public const string AdminKey = BrainOptions.TestAdminKey;

    private readonly Brain _brain;
    private MqttTerminal _mqtt;

    private CockpitSilo(Brain brain, MqttTerminal mqtt)
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
        var brain = await Brain.Start(new() { Settings = extraArgs });
        return new CockpitSilo(brain, await MqttTerminal.ConnectAs(brain.MqttPort, null, null, "cockpit-test-" + Guid.NewGuid().ToString("N")[..8]));
    }

    /// <summary>A clean stop and a start on the same ports and storage.</summary>
    public async Task Restart()
    {
        await _mqtt.DisposeAsync();
        await _brain.Stop();
        await _brain.Restart();
        _mqtt = await MqttTerminal.ConnectAs(_brain.MqttPort, null, null, "cockpit-test-" + Guid.NewGuid().ToString("N")[..8]);
    }

    public Task Register(string enterprise, string name, string chainNode, string uscc = BrainHttp.Uscc) =>
        Client.RegisterEnterprise(enterprise, new { name, uscc, chainNode, park = "龙水五金产业园", tier = "规上" });

    public Task Plan(string enterprise, string order, long quantity, decimal unitPrice, DateTimeOffset due, params string[] steps) =>
        Client.PlanOrder(enterprise, order, new
        {
            product = "slaughter knife 8in",
            quantity,
            unitPrice,
            due,
            routing = steps.Select(s => new { step = s }).ToArray(),
        });

    /// <summary>A terminal's cumulative count, published over MQTT at QoS 1 as the contract says.</summary>
    public Task Count(string enterprise, string terminal, string order, string step, long seq, long good) =>
        Publish($"ib/{enterprise}/{terminal}/count", JsonSerializer.Serialize(new { order, step, seq, good, scrap = 0 }));

    public Task Status(string enterprise, string terminal, string state, long seq, string? fault = null) =>
        Publish($"ib/{enterprise}/{terminal}/status", JsonSerializer.Serialize(new { state, seq, fault }), retain: true);

    private Task Publish(string topic, string payload, bool retain = false) => _mqtt.Publish(topic, payload, retain);

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
    public Task<JsonNode> CockpitOnce(Func<JsonNode, bool> shows) =>
        Eventually.Value(Cockpit, shows, "the cockpit showing what the test waited for");

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await _mqtt.DisposeAsync();
        await _brain.DisposeAsync();
    }
}
