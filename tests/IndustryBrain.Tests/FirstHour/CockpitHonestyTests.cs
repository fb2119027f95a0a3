using System.Net.Http.Json;
using IndustryBrain.Tests.Cockpit;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace IndustryBrain.Tests.FirstHour;

/// <summary>The cockpit says what it counts: no zeros before a key, finished pieces labelled, work in progress beside them, open bundles listed.</summary>
public sealed class CockpitHonestyTests
{
    private static async Task<IBrowser> Browser(IPlaywright playwright) =>
        await playwright.Chromium.LaunchAsync(new() { ExecutablePath = CockpitPageTests.Chromium, Args = CockpitPageTests.ChromiumArgs, Headless = true });

    [Fact]
    public async Task Without_a_key_the_page_shows_dashes_and_asks_for_one_not_zeros()
    {
        await using var silo = await CockpitSilo.Start();
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await Browser(playwright);
        var page = await browser.NewPageAsync(new() { ViewportSize = new() { Width = 1920, Height = 1080 }, Locale = "en-US" });
        SetDefaultExpectTimeout(30_000);
        await page.GotoAsync(silo.Http + "?lang=en");

        await Expect(page.Locator("#key-prompt")).ToBeVisibleAsync();
        await Expect(page.Locator("#key-prompt-text")).ToHaveTextAsync("Enter an official's or administrator's key to see the district's figures");
        await Expect(page.Locator("#key-form")).ToBeVisibleAsync();
        foreach (var figure in new[] { "kpi-units", "kpi-wip", "kpi-value", "kpi-enterprises", "kpi-orders", "kpi-online", "kpi-fault", "fig-open", "fig-pooled", "fig-savings" })
        {
            await Expect(page.Locator($"#{figure} .value")).ToHaveTextAsync("--");
        }

        await page.FillAsync("#key-input", CockpitSilo.AdminKey);
        await page.ClickAsync("#key-use");
        await Expect(page.Locator("#kpi-units .value")).ToHaveTextAsync("0");
        await Expect(page.Locator("#key-prompt")).ToBeHiddenAsync();
    }

    [Fact]
    public async Task Finished_pieces_are_labelled_work_in_progress_stands_beside_them_the_ring_agrees_and_open_bundles_are_listed()
    {
        await using var silo = await CockpitSilo.Start();
        var due = DateTimeOffset.UtcNow.AddDays(5);
        await silo.Register("qiaofeng", "重庆桥丰五金制造有限公司", "knives");
        await silo.Register("daowang", "龙水刀王刀具有限公司", "knives");
        await silo.Plan("qiaofeng", "QF-1", 5000, 38.5m, due, "blank", "grind", "pack");
        await silo.Plan("qiaofeng", "QF-2", 100, 10m, due, "pack");
        await silo.Plan("daowang", "DW-1", 3000, 45m, due, "blank", "pack");

        // 15,000 pieces through the first steps, 100 finished (QF-2 is done).
        await silo.Count("qiaofeng", "T1", "QF-1", "blank", 1, 5000);
        await silo.Count("qiaofeng", "T2", "QF-1", "grind", 1, 4000);
        await silo.Count("qiaofeng", "T3", "QF-1", "pack", 1, 1000);
        await silo.Count("qiaofeng", "T4", "QF-2", "pack", 1, 100);
        await silo.Count("daowang", "T1", "DW-1", "blank", 1, 3000);

        var inTwoMonths = DateTimeOffset.UtcNow.ToOffset(TimeSpan.FromHours(8)).AddDays(60);
        var closes = new DateTimeOffset(inTwoMonths.Year, inTwoMonths.Month, inTwoMonths.Day, 12, 0, 0, TimeSpan.FromHours(8));
        var open = await silo.Client.PutAsJsonAsync("api/bundles/steel-2612", new
        {
            material = "5Cr15MoV stainless strip 2.5mm",
            unit = "t",
            supplier = "Baowu",
            listPrice = 21000,
            tiers = new[] { new { minQuantity = 50, unitPrice = 20600 }, new { minQuantity = 200, unitPrice = 20300 } },
            minQuantity = 50,
            closesAt = closes,
        });
        Assert.True(open.IsSuccessStatusCode, await open.Content.ReadAsStringAsync());
        Assert.True((await silo.Client.PutAsJsonAsync("api/bundles/steel-2612/pledges/qiaofeng", new { quantity = 120 })).IsSuccessStatusCode);

        // The view: finished today counts the last step only; in process = (5000 - 1000) + 3000 started and not finished.
        var view = await silo.CockpitOnce(v => (long)v["outputToday"]!["units"]! == 1100 && (long)v["inProcess"]! == 7000
            && v["procurement"]!["bundles"]!.AsArray().Count == 1);
        var bundle = view["procurement"]!["bundles"]![0]!;
        Assert.Equal("steel-2612", (string)bundle["bundle"]!);
        Assert.Equal(1, (int)bundle["tiersReached"]!);
        Assert.Equal([50m, 200m], bundle["tierQuantities"]!.AsArray().Select(q => (decimal)q!));

        using var playwright = await Playwright.CreateAsync();
        await using var browser = await Browser(playwright);
        var page = await browser.NewPageAsync(new() { ViewportSize = new() { Width = 1920, Height = 1080 }, Locale = "zh-CN" });
        SetDefaultExpectTimeout(30_000);
        await page.AddInitScriptAsync($"sessionStorage.setItem('ib-key', '{CockpitSilo.AdminKey}');");
        await page.GotoAsync(silo.Http.ToString());

        await Expect(page.Locator("#kpi-units label")).ToHaveTextAsync("今日完工（末道工序）");
        await Expect(page.Locator("#kpi-units .value")).ToHaveTextAsync("1,100");
        await Expect(page.Locator("#kpi-wip label")).ToHaveTextAsync("在制品");
        await Expect(page.Locator("#kpi-wip .value")).ToHaveTextAsync("7,000");

        // The ring's centre is the sum of its slices: 3 orders, one of them done; active orders stay a KPI.
        await Expect(page.Locator("#kpi-orders .value")).ToHaveTextAsync("2");
        Assert.Equal("3", await page.EvaluateAsync<string>("window.cockpit.statusCentre()"));
        var slices = await page.EvaluateAsync<int[]>("window.cockpit.statusData().map(d => d.value)");
        Assert.Equal(3, slices.Sum());

        // The open bundle, with its deadline in the district's time and the tier reached counted from 1.
        var listed = page.Locator("#bundles li[data-bundle='steel-2612']");
        await Expect(listed).ToContainTextAsync("5Cr15MoV stainless strip 2.5mm");
        await Expect(listed).ToContainTextAsync($"截止 {closes:MM-dd} 12:00");
        await Expect(listed).ToContainTextAsync("第1档/共2档");

        await page.ClickAsync("#lang");
        await Expect(page.Locator("#kpi-units label")).ToHaveTextAsync("Finished today (last step)");
        await Expect(page.Locator("#kpi-wip label")).ToHaveTextAsync("Work in progress");
        await Expect(listed).ToContainTextAsync("tier 1 of 2");
    }
}
