using System.Net.Http.Json;
using System.Text.Json.Nodes;
using IndustryBrain.Tests.Cockpit;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace IndustryBrain.Tests.Security;

/// <summary>The cockpit page asks for an official's or administrator's key and keeps it for the session.</summary>
public sealed class CockpitKeyPageTests
{
    private static async Task<string> Key(CockpitSilo silo, object request)
    {
        using var response = await silo.Client.PostAsJsonAsync("/api/keys", request);
        response.EnsureSuccessStatusCode();
        return JsonNode.Parse(await response.Content.ReadAsStringAsync())!["key"]!.GetValue<string>();
    }

    [Fact]
    public async Task Without_a_key_the_page_asks_for_one_refuses_an_enterprise_key_and_runs_on_an_officials_for_the_session()
    {
        await using var silo = await CockpitSilo.Start();
        await silo.Register("qiaofeng", "重庆桥丰五金制造有限公司", "knives");
        await silo.Register("daowang", "龙水刀王刀具有限公司", "knives");
        var official = await Key(silo, new { role = "official" });
        var enterprise = await Key(silo, new { role = "enterprise", enterprise = "qiaofeng" });

        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(new() { ExecutablePath = CockpitPageTests.Chromium, Args = CockpitPageTests.ChromiumArgs, Headless = true });
        var context = await browser.NewContextAsync(new() { Locale = "en-US" });
        var page = await context.NewPageAsync();
        SetDefaultExpectTimeout(30_000);
        await page.GotoAsync(silo.Http + "?lang=en");

        await Expect(page.Locator("#key-form")).ToBeVisibleAsync();
        await Expect(page.Locator("#link-text")).ToHaveTextAsync("An access key is needed");
        await Expect(page.Locator("#key-input")).ToHaveAttributeAsync("placeholder", "An official's or administrator's key");

        // A firm's key does not open the district's cockpit.
        await page.FillAsync("#key-input", enterprise);
        await page.ClickAsync("#key-use");
        await Expect(page.Locator("#link-text")).ToHaveTextAsync("The key is not valid for the cockpit");
        await Expect(page.Locator("#key-form")).ToBeVisibleAsync();

        await page.FillAsync("#key-input", official);
        await page.ClickAsync("#key-use");
        await Expect(page.Locator("#kpi-enterprises .value")).ToHaveTextAsync("2");
        await Expect(page.Locator("#link")).ToHaveAttributeAsync("data-state", "live");
        await Expect(page.Locator("#key-form")).ToBeHiddenAsync();
        Assert.Equal("", await page.InputValueAsync("#key-input"));

        // Kept for the session: a reload needs no key, and nothing is kept beyond the session.
        await page.ReloadAsync();
        await Expect(page.Locator("#kpi-enterprises .value")).ToHaveTextAsync("2");
        await Expect(page.Locator("#key-form")).ToBeHiddenAsync();
        Assert.Equal(official, await page.EvaluateAsync<string>("sessionStorage.getItem('ib-key')"));
        Assert.Null(await page.EvaluateAsync<string?>("localStorage.getItem('ib-key')"));
    }
}
