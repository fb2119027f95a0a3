using IndustryBrain.Tests.Cockpit;
using IndustryBrain.Tests.Infrastructure;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace IndustryBrain.Tests.Board;

/// <summary>The dispatch board page in Debian's Chromium, driven by Playwright, fed by real MQTT terminals.</summary>
public sealed class BoardPageTests
{
    [Fact]
    public async Task The_board_opens_with_the_firms_key_and_moves_when_a_terminal_counts_in_both_languages()
    {
        await using var silo = await CockpitSilo.Start();
        await silo.Register("qiaofeng", "重庆桥丰五金制造有限公司", "knives");
        await silo.Register("daowang", "龙水刀王刀具有限公司", "knives");
        await silo.PlanKnives("qiaofeng", "QF-2611-0042", 18225, DateTimeOffset.UtcNow.AddDays(3));
        var own = await silo.Key(new { role = "enterprise", enterprise = "qiaofeng" });
        var other = await silo.Key(new { role = "enterprise", enterprise = "daowang" });
        await using var grinder = await MqttTerminal.Connect(silo.MqttPort, "qiaofeng", "G-07");
        await using var blanker = await MqttTerminal.Connect(silo.MqttPort, "qiaofeng", "B-01");
        await grinder.Status("""{"state":"running","seq":1}""");
        await blanker.Status("""{"state":"idle","seq":1}""");
        await blanker.Count("""{"order":"QF-2611-0042","step":"blank","seq":1,"good":18225,"scrap":40}""");
        await grinder.Count("""{"order":"QF-2611-0042","step":"rough-grind","seq":1,"good":8642,"scrap":12}""");
        await silo.BoardOnce("qiaofeng", b => BoardSilo.Step(b, "QF-2611-0042", "rough-grind")?["good"]?.GetValue<long>() == 8642);

        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(new() { ExecutablePath = CockpitPageTests.Chromium, Args = CockpitPageTests.ChromiumArgs, Headless = true });
        var page = await browser.NewPageAsync(new() { ViewportSize = new() { Width = 1920, Height = 1080 }, Locale = "zh-CN" });
        SetDefaultExpectTimeout(30_000);
        await page.GotoAsync(new Uri(silo.Http, "board/qiaofeng").ToString());

        // Without a key the page asks for one; another firm's key does not open this board.
        await Expect(page.Locator("#key-form")).ToBeVisibleAsync();
        await page.FillAsync("#key-input", other);
        await page.ClickAsync("#key-use");
        await Expect(page.Locator("#link-text")).ToHaveTextAsync("密钥无效，或无权查看本企业");
        await Expect(page.Locator("#key-form")).ToBeVisibleAsync();

        await page.FillAsync("#key-input", own);
        await page.ClickAsync("#key-use");
        var order = page.Locator("#orders li[data-order='QF-2611-0042']");
        var grind = order.Locator(".step[data-step='rough-grind']");
        await Expect(grind).ToHaveAttributeAsync("data-good", "8642");
        await Expect(order.Locator(".step[data-step='pack']")).ToHaveClassAsync(new System.Text.RegularExpressions.Regex("bottleneck"));
        await Expect(order.Locator(".why")).ToContainTextAsync("瓶颈工序 包装");
        await Expect(page.Locator("#firm")).ToHaveTextAsync("重庆桥丰五金制造有限公司");
        await Expect(page.Locator(".tile[data-terminal='G-07']")).ToHaveAttributeAsync("data-state", "running");
        await Expect(page.Locator("#link")).ToHaveAttributeAsync("data-state", "live");

        // A terminal counts on and faults; the page follows the stream without reloading.
        await page.EvaluateAsync("window.stillTheSamePage = true");
        await grinder.Count("""{"order":"QF-2611-0042","step":"rough-grind","seq":2,"good":9000,"scrap":12}""");
        await grinder.Status("""{"state":"fault","seq":2,"fault":"E-17"}""");
        await Expect(grind).ToHaveAttributeAsync("data-good", "9000");
        await Expect(page.Locator(".tile[data-terminal='G-07']")).ToHaveAttributeAsync("data-state", "fault");
        await Expect(page.Locator(".tile[data-terminal='G-07'] .state")).ToContainTextAsync("故障 E-17");
        Assert.True(await page.EvaluateAsync<bool>("window.stillTheSamePage === true"));

        // A kiosk screen takes its key from the address's fragment, which the page removes at once.
        var kiosk = await browser.NewPageAsync();
        await kiosk.GotoAsync(new Uri(silo.Http, $"board/qiaofeng?lang=en#key={own}").ToString());
        await Expect(kiosk.Locator(".tile[data-terminal='G-07']")).ToHaveAttributeAsync("data-state", "fault");
        Assert.DoesNotContain(own, kiosk.Url);

        await page.ClickAsync("#lang");
        await Expect(page.Locator("#title")).ToHaveTextAsync("Dispatch Board");
        await Expect(order.Locator(".why")).ToContainTextAsync("Bottleneck 包装");
        await Expect(order.Locator(".tag")).ToHaveTextAsync("On track");

        var screenshot = Path.Combine(AppContext.BaseDirectory, "board-test.png");
        await page.ScreenshotAsync(new() { Path = screenshot });
        Assert.True(new FileInfo(screenshot).Length > 20_000, "the screenshot is nearly empty");
    }
}
