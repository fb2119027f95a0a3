using System.Text.RegularExpressions;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace IndustryBrain.Tests.Cockpit;

/// <summary>The cockpit page in Debian's Chromium, driven by Playwright, against a running silo.</summary>
public sealed class CockpitPageTests
{
    /// <summary>The Chromium the machine has (scripts/install-test-deps.sh); Playwright never downloads one.</summary>
    public const string Chromium = "/usr/bin/chromium";

    public static readonly string[] ChromiumArgs =
        ["--no-sandbox", "--headless", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"];

    private sealed record NodeSeen
    {
        public string Id { get; init; } = "";
        public string Name { get; init; } = "";
        public long Value { get; init; }
        public int Enterprises { get; init; }
    }

    [Fact]
    public async Task The_page_draws_the_chain_and_counters_and_follows_MQTT_readings_without_a_reload_in_both_languages()
    {
        await using var silo = await CockpitSilo.Start();
        var due = DateTimeOffset.UtcNow.AddDays(5);
        await silo.Register("qiaofeng", "重庆桥丰五金制造有限公司", "knives");
        await silo.Register("daowang", "龙水刀王刀具有限公司", "knives");
        await silo.Register("guan-lock", "重庆固安锁业有限公司", "locks");
        await silo.Plan("qiaofeng", "QF-1", 5000, 38.5m, due, "blank", "pack");
        await silo.Plan("daowang", "DW-1", 3000, 45m, due, "pack");
        await silo.Plan("guan-lock", "GA-1", 2000, 45m, due, "pack");
        await silo.Count("qiaofeng", "T1", "QF-1", "pack", 1, 1200);
        await silo.Count("daowang", "T1", "DW-1", "pack", 1, 800);
        await silo.Count("guan-lock", "T1", "GA-1", "pack", 1, 300);
        await silo.Status("guan-lock", "T1", "fault", 1, "E-17");
        await silo.CockpitOnce(v => (long)v["outputToday"]!["units"]! == 2300 && (int)v["terminalsInFault"]! == 1);

        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(new() { ExecutablePath = Chromium, Args = ChromiumArgs, Headless = true });
        var page = await browser.NewPageAsync(new() { ViewportSize = new() { Width = 1920, Height = 1080 }, Locale = "zh-CN" });
        SetDefaultExpectTimeout(30_000);
        await page.AddInitScriptAsync($"sessionStorage.setItem('ib-key', '{CockpitSilo.AdminKey}');");
        await page.GotoAsync(silo.Http.ToString());

        // Counters: 1200 + 800 + 300 pieces; 1200 x 38.5 + 800 x 45 + 300 x 45 = 95,700 yuan.
        await Expect(page.Locator("#kpi-units .value")).ToHaveTextAsync("2,300");
        await Expect(page.Locator("#kpi-value .value")).ToHaveAttributeAsync("data-value", "95700");
        await Expect(page.Locator("#kpi-value .value")).ToHaveTextAsync("¥9.57万");
        await Expect(page.Locator("#kpi-enterprises .value")).ToHaveTextAsync("3");
        await Expect(page.Locator("#kpi-fault .value")).ToHaveTextAsync("1");
        await Expect(page.Locator("#alerts li.terminal-fault")).ToContainTextAsync("重庆固安锁业有限公司");

        // The chain map: each link drawn with its firms and today's pieces, the node sized by them.
        var chain = page.Locator("#chart-chain svg");
        await Expect(chain.Locator("text", new() { HasTextString = "刀具" })).ToHaveCountAsync(1);
        await Expect(chain.Locator("text", new() { HasTextString = "2家 · 2,000件" })).ToHaveCountAsync(1);
        await Expect(chain.Locator("text", new() { HasTextString = "1家 · 300件" })).ToHaveCountAsync(1);
        var nodes = (await page.EvaluateAsync<NodeSeen[]>("window.cockpit.chainNodes()")).ToDictionary(n => n.Id);
        Assert.Equal(17, nodes.Count);
        Assert.Equal(new NodeSeen { Id = "knives", Name = "刀具", Value = 2000, Enterprises = 2 }, nodes["knives"]);
        Assert.Equal(new NodeSeen { Id = "locks", Name = "锁具", Value = 300, Enterprises = 1 }, nodes["locks"]);
        Assert.Equal(new NodeSeen { Id = "steel", Name = "钢材", Value = 0, Enterprises = 0 }, nodes["steel"]);

        // A terminal counts on; the page follows the stream without reloading.
        await page.EvaluateAsync("window.stillTheSamePage = true");
        await silo.Count("qiaofeng", "T1", "QF-1", "pack", 2, 1700);
        await Expect(page.Locator("#kpi-units .value")).ToHaveTextAsync("2,800");
        await Expect(chain.Locator("text", new() { HasTextString = "2家 · 2,500件" })).ToHaveCountAsync(1);
        Assert.True(await page.EvaluateAsync<bool>("window.stillTheSamePage === true"));
        await Expect(page.Locator("#link")).ToHaveAttributeAsync("data-state", "live");

        // English.
        await page.ClickAsync("#lang");
        await Expect(page.Locator("#title")).ToHaveTextAsync("Hardware Industry Brain · Cockpit");
        await Expect(page.Locator("#kpi-units label")).ToHaveTextAsync("Finished today (last step)");
        await Expect(chain.Locator("text", new() { HasTextString = "2 firms · 2,500 pcs" })).ToHaveCountAsync(1);
        await Expect(chain.Locator("text", new() { HasTextRegex = new Regex("^Knives$") })).ToHaveCountAsync(1);
        await Expect(page.Locator("#kpi-units .value")).ToHaveTextAsync("2,800");

        var screenshot = Path.Combine(AppContext.BaseDirectory, "cockpit-test.png");
        await page.ScreenshotAsync(new() { Path = screenshot });
        Assert.True(new FileInfo(screenshot).Length > 20_000, "the screenshot is nearly empty");
    }
}
