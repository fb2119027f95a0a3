using System.Globalization;
using System.Text.Json;
using IndustryBrain.Tests.Infrastructure;

namespace IndustryBrain.Tests.EndToEnd;

/// <summary>Payloads and readings in the words of docs/contract.md.</summary>
public static class Contract
{
    public const string Uscc = "91500111MA5U3Q7X1D";

    public static string NewEnterprise(string hint) => $"{hint}-{Guid.NewGuid():N}"[..Math.Min(64, hint.Length + 13)];

    public static string Reading(string order, string step, long seq, long good, long scrap = 0, int run = 0) =>
        $$"""{"order":"{{order}}","step":"{{step}}","run":{{run}},"seq":{{seq}},"good":{{good}},"scrap":{{scrap}}}""";

    public static string Registration(string name = "重庆巧锋刀具有限公司", string uscc = Uscc) =>
        JsonSerializer.Serialize(new { name, uscc, chainNode = "knives", park = "龙水", tier = "A" });

    public static string Plan(long quantity, DateTimeOffset due, params string[] steps) =>
        JsonSerializer.Serialize(new
        {
            product = "slaughter knife 8in",
            quantity,
            unitPrice = 38.5m,
            due = due.ToString("yyyy-MM-dd'T'HH:mm:sszzz", CultureInfo.InvariantCulture),
            routing = steps.Select(step => new { step }).ToArray(),
        });

    public static async Task Register(SharedBrain brain, string enterprise)
    {
        using var response = await brain.Put($"api/enterprises/{enterprise}", Registration());
        Assert.True(response.IsSuccessStatusCode, $"registering {enterprise}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
    }

    public static async Task<JsonElement> PlanOrder(SharedBrain brain, string enterprise, string order, long quantity, DateTimeOffset due, params string[] steps)
    {
        using var response = await brain.Put($"api/enterprises/{enterprise}/orders/{order}", Plan(quantity, due, steps));
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"planning {enterprise}/{order}: {(int)response.StatusCode} {body}");
        return JsonDocument.Parse(body).RootElement.Clone();
    }

    public static string OrderPath(string enterprise, string order) => $"api/enterprises/{enterprise}/orders/{order}";

    /// <summary>(good, scrap) of one step of an order's progress, or null when the step has no entry.</summary>
    public static (long Good, long Scrap)? Step(JsonElement order, string step)
    {
        foreach (var s in order.GetProperty("steps").EnumerateArray())
        {
            if (s.GetProperty("step").GetString() == step)
            {
                return (s.GetProperty("good").GetInt64(), s.GetProperty("scrap").GetInt64());
            }
        }

        return null;
    }

    /// <summary>True when the order shows exactly these (step, good, scrap) counts.</summary>
    public static Func<JsonElement, bool> Shows(params (string Step, long Good, long Scrap)[] expected) =>
        order => expected.All(e => Step(order, e.Step) == (e.Good, e.Scrap));

    public static string Text(JsonElement element, string property) =>
        element.GetProperty(property).ValueKind == JsonValueKind.Null ? "null" : element.GetProperty(property).ToString();
}
