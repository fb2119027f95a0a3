using System.Net;
using IndustryBrain.Tests.Infrastructure;
using static IndustryBrain.Tests.Codes.CodeNode;

namespace IndustryBrain.Tests.Codes;

public sealed class CodeRestartTests
{
    [Fact]
    public async Task A_restart_keeps_prefixes_ranges_scans_and_the_verification_key()
    {
        await using var brain = await Brain.Start();
        using var admin = brain.Http();
        var prefix = await ApprovedFirm(admin, "restart-firm", 7801);
        await ApprovedFirm(admin, "restart-other", 7802);
        await admin.PostAsync($"/api/prefixes/{Node}.2/suspend", new StringContent("""{"reason":"调查中"}""", System.Text.Encoding.UTF8, "application/json"));
        await Allocate(admin, "restart-firm", KnifeCodes("RS-1", 1000));
        await Allocate(admin, "restart-firm", KnifeCodes("RS-1", 500));
        var code = (await Export(admin, "restart-firm", "RS-1", 1001))[0][2];
        using (var phone = Anonymous(brain))
        {
            Assert.Equal(1L, (long)(await Scan(phone, prefix, "RS-1.001001", code, "大足"))["verdict"]!["scans"]!);
            Assert.Equal(2L, (long)(await Scan(phone, prefix, "RS-1.001001", code))["verdict"]!["scans"]!);
        }

        var rangesBefore = await admin.GetStringAsync("/api/enterprises/restart-firm/codes");
        var prefixesBefore = await admin.GetStringAsync("/api/prefixes");

        await brain.Stop();
        await brain.Restart();

        using var again = brain.Http();
        using var phoneAgain = Anonymous(brain);
        Assert.Equal(rangesBefore, await again.GetStringAsync("/api/enterprises/restart-firm/codes"));
        Assert.Equal(prefixesBefore, await again.GetStringAsync("/api/prefixes"));
        Assert.Equal(code, (await Export(again, "restart-firm", "RS-1", 1001))[0][2]); // the same key made the same code

        var third = await Scan(phoneAgain, prefix, "RS-1.001001", code);
        Assert.Equal(("genuine", 3L), ((string?)third["verdict"]!["status"], (long)third["verdict"]!["scans"]!));
        Assert.Equal("大足", (string?)third["recentScans"]![0]!["place"]);
        var next = await Allocate(again, "restart-firm", KnifeCodes("RS-1", 1));
        Assert.Equal(1501L, (long)next["range"]!["first"]!);
        var suspended = await Json(await again.GetAsync("/api/enterprises/restart-other/prefix"), HttpStatusCode.OK);
        Assert.Equal(("suspended", "调查中"), ((string?)suspended["state"], (string?)suspended["reason"]));
    }
}
