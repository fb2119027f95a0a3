using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using IndustryBrain.Tests.Cockpit;

namespace IndustryBrain.Tests.Board;

/// <summary>Helpers for the board's tests on a real silo (<see cref="CockpitSilo"/>): keys, a plan with ideal rates, the board once it shows something.</summary>
public static class BoardSilo
{
    public static async Task<string> Key(this CockpitSilo silo, object request)
    {
        using var response = await silo.Client.PostAsJsonAsync("/api/keys", request);
        return JsonNode.Parse(await BrainHttp.Succeeded(response, "making a key"))!["key"]!.GetValue<string>();
    }

    public static HttpClient As(this CockpitSilo silo, string key) => BrainHttp.Client(silo.Http, key);

    /// <summary>A slaughter-knife order: blanking at an ideal 600 an hour, rough grinding at 300, packing.</summary>
    public static async Task PlanKnives(this CockpitSilo silo, string enterprise, string order, long quantity, DateTimeOffset due)
    {
        var answer = await silo.Client.PutAsJsonAsync($"api/enterprises/{enterprise}/orders/{order}", new
        {
            product = "8寸斩骨刀",
            quantity,
            unitPrice = 38.5m,
            due,
            routing = new object[]
            {
                new { step = "blank", name = "下料", idealRatePerHour = 600 },
                new { step = "rough-grind", name = "粗磨", idealRatePerHour = 300 },
                new { step = "pack", name = "包装" },
            },
        });
        Assert.True(answer.IsSuccessStatusCode, $"planning {order}: {(int)answer.StatusCode} {await answer.Content.ReadAsStringAsync()}");
    }

    /// <summary>The board once it shows what <paramref name="shows"/> looks for (orders and terminals report about once a second), up to a minute.</summary>
    public static Task<JsonNode> BoardOnce(this CockpitSilo silo, string enterprise, Func<JsonNode, bool> shows) =>
        Eventually.Value(async () =>
        {
            var answer = await silo.Client.GetAsync($"api/enterprises/{enterprise}/board");
            Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
            return JsonNode.Parse(await answer.Content.ReadAsStringAsync())!;
        }, shows, "the board showing what the test waited for");

    public static JsonNode? Order(JsonNode board, string order) => board["orders"]!.AsArray().FirstOrDefault(o => (string)o!["order"]! == order);

    public static JsonNode? Step(JsonNode board, string order, string step) =>
        Order(board, order)?["steps"]!.AsArray().FirstOrDefault(s => (string)s!["step"]! == step);

    public static JsonNode? Terminal(JsonNode board, string terminal) =>
        board["steps"]!.AsArray().SelectMany(g => g!["terminals"]!.AsArray()).FirstOrDefault(t => (string)t!["terminal"]! == terminal);
}
