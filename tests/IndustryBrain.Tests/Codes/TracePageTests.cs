using System.Net.Http.Json;
using System.Text.Json;
using IndustryBrain.Tests.Cockpit;
using IndustryBrain.Tests.Infrastructure;
using Microsoft.Playwright;
using static IndustryBrain.Tests.Codes.CodeNode;
using static Microsoft.Playwright.Assertions;

namespace IndustryBrain.Tests.Codes;

/// <summary>The scan-to-trace page in Debian's Chromium (Playwright), showing what a real MQTT ingest counted.</summary>
public sealed class TracePageTests
{
    [Fact]
    public async Task A_scanned_code_shows_its_firm_order_and_the_steps_terminals_counted_then_warns_on_repeats_in_both_languages()
    {
        await using var brain = await Brain.Start(new() { Settings = ["--Codes:WarnAfterScans=2", "--Http:AnonymousRequestsPerSecond=0"] });
        using var admin = brain.Http();
        var prefix = await ApprovedFirm(admin, "qiaofeng", 7901, shopUrl: "https://qiaofeng.example.cn/shop", name: "重庆桥丰五金制造有限公司");
        var due = DateTimeOffset.UtcNow.AddDays(5);
        var plan = await admin.PutAsJsonAsync("/api/enterprises/qiaofeng/orders/QF-2611-0042", new
        {
            product = "slaughter knife 8in",
            quantity = 18_225,
            unitPrice = 38.5m,
            due,
            routing = new[] { new { step = "forge", name = "锻打" }, new { step = "grind", name = "开刃" }, new { step = "pack", name = "包装" } },
        });
        Assert.True(plan.IsSuccessStatusCode, await plan.Content.ReadAsStringAsync());

        // The workshop's terminals count over MQTT, with their own clocks' times.
        var start = DateTimeOffset.UtcNow.AddHours(-6);
        start = new DateTimeOffset(start.Year, start.Month, start.Day, start.Hour, 0, 0, TimeSpan.Zero);
        await using (var forge = await MqttTerminal.Connect(brain.MqttPort, "qiaofeng", "T-forge"))
        await using (var grind = await MqttTerminal.Connect(brain.MqttPort, "qiaofeng", "T-grind"))
        await using (var pack = await MqttTerminal.Connect(brain.MqttPort, "qiaofeng", "T-pack"))
        {
            await forge.Count(Reading("QF-2611-0042", "forge", 1, 9000, 12, start));
            await forge.Count(Reading("QF-2611-0042", "forge", 2, 18_300, 75, start.AddHours(1)));
            await grind.Count(Reading("QF-2611-0042", "grind", 1, 18_260, 40, start.AddHours(2)));
            await pack.Count(Reading("QF-2611-0042", "pack", 1, 18_225, 0, start.AddHours(3)));
        }

        await Eventually.Holds(async () =>
        {
            var progress = await admin.GetFromJsonAsync<JsonElement>("/api/enterprises/qiaofeng/orders/QF-2611-0042");
            return progress.GetProperty("completed").GetInt64() == 18_225 && progress.GetProperty("steps").EnumerateArray().All(s => s.GetProperty("good").GetInt64() > 10_000);
        }, TimeSpan.FromMinutes(1));

        await Allocate(admin, "qiaofeng", KnifeCodes("QF-2611-0042", 18_225));
        var line = (await Export(admin, "qiaofeng", "QF-2611-0042", 1))[122]; // serial 123
        Assert.Equal($"{prefix}/QF-2611-0042.000123", line[0]);
        var url = line[3];

        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(new() { ExecutablePath = CockpitPageTests.Chromium, Args = CockpitPageTests.ChromiumArgs, Headless = true });
        var page = await browser.NewPageAsync(new() { ViewportSize = new() { Width = 390, Height = 1100 }, Locale = "zh-CN", TimezoneId = "Asia/Shanghai" });
        SetDefaultExpectTimeout(30_000);
        await page.GotoAsync(url);

        await Expect(page.Locator("#verdict")).ToHaveAttributeAsync("data-status", "genuine");
        await Expect(page.Locator("#verdict-title")).ToHaveTextAsync("正品 · 首次扫码");
        await Expect(page.Locator("#handle")).ToHaveTextAsync($"{prefix}/QF-2611-0042.000123");
        await Expect(page.Locator("#product-name")).ToHaveTextAsync("桑刀 8寸 slaughter knife 8in");
        await Expect(page.Locator("#product-attrs")).ToContainTextAsync("5Cr15MoV");
        await Expect(page.Locator("#firm-name")).ToHaveTextAsync("重庆桥丰五金制造有限公司");
        await Expect(page.Locator("#shop")).ToHaveAttributeAsync("href", "https://qiaofeng.example.cn/shop");
        await Expect(page.Locator("#order-no")).ToHaveTextAsync("QF-2611-0042");
        await Expect(page.Locator("#production-date")).ToHaveTextAsync("2026-11-28");

        // Each routing step as the terminals counted it, with when it ran (Beijing time, as the phone shows it).
        var steps = page.Locator("#step-list li");
        await Expect(steps).ToHaveCountAsync(3);
        await Expect(steps.Nth(0)).ToContainTextAsync("锻打");
        await Expect(steps.Nth(0)).ToContainTextAsync("18,300 件");
        await Expect(steps.Nth(0).Locator(".when")).ToContainTextAsync(Beijing(start));
        await Expect(steps.Nth(0).Locator(".when")).ToContainTextAsync(Beijing(start.AddHours(1)));
        await Expect(steps.Nth(1)).ToContainTextAsync("开刃");
        await Expect(steps.Nth(1).Locator(".when")).ToContainTextAsync(Beijing(start.AddHours(2)));
        await Expect(steps.Nth(2)).ToContainTextAsync("包装");
        await Expect(steps.Nth(2)).ToContainTextAsync("18,225 件");
        await Expect(page.Locator("#qc-good")).ToHaveTextAsync("18,225 件");
        await Expect(page.Locator("#qc-scrap")).ToHaveTextAsync("115 件");

        var screenshot = Path.Combine(AppContext.BaseDirectory, "trace-test.png");
        await page.ScreenshotAsync(new() { Path = screenshot, FullPage = true });
        Assert.True(new FileInfo(screenshot).Length > 20_000, "the screenshot is nearly empty");

        // Scanned again: still genuine, counted; past Codes:WarnAfterScans the page warns.
        await page.ReloadAsync();
        await Expect(page.Locator("#verdict-title")).ToHaveTextAsync("正品 · 已被扫码 2 次");
        await page.ReloadAsync();
        await Expect(page.Locator("#verdict")).ToHaveAttributeAsync("data-status", "repeat");
        await Expect(page.Locator("#verdict-title")).ToHaveTextAsync("注意：该码已被扫码 3 次");

        await page.ClickAsync("#lang");
        await Expect(page.Locator("#verdict-title")).ToHaveTextAsync("Careful: scanned 3 times");
        await Expect(steps.Nth(2)).ToContainTextAsync("18,225 pcs");
        await Expect(page.Locator("#title")).ToHaveTextAsync("Scan to trace");

        // A forged verification code on the same serial: not issued.
        await page.GotoAsync(url[..url.IndexOf("?v=", StringComparison.Ordinal)] + "?v=ABCDEFGH");
        await Expect(page.Locator("#verdict")).ToHaveAttributeAsync("data-status", "not-issued");
        await Expect(page.Locator("#verdict-detail")).ToHaveTextAsync("The verification code is wrong.");
        await Expect(page.Locator("#steps")).ToBeHiddenAsync();
    }

    private static string Reading(string order, string step, long seq, long good, long scrap, DateTimeOffset ts) =>
        JsonSerializer.Serialize(new { order, step, seq, good, scrap, ts });

    /// <summary>How the page writes a time: zh-CN, Beijing time, 24-hour clock, to the minute.</summary>
    private static string Beijing(DateTimeOffset at)
    {
        var local = at.ToOffset(TimeSpan.FromHours(8));
        return $"{local.Year}/{local.Month}/{local.Day} {local:HH:mm}";
    }
}
