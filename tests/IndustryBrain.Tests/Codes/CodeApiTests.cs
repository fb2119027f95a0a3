using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using IndustryBrain.Tests.Bundles;
using IndustryBrain.Tests.Infrastructure;
using static IndustryBrain.Tests.Codes.CodeNode;

namespace IndustryBrain.Tests.Codes;

/// <summary>One brain for the identifier node's HTTP tests that need no restart.</summary>
public sealed class CodeBrain : IAsyncLifetime
{
    public Brain Brain { get; private set; } = null!;
    public HttpClient Admin { get; private set; } = null!;
    public HttpClient Public { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Brain = await Brain.Start(new() { Settings = ["--Codes:WarnAfterScans=3", "--Codes:MaxPerRequest=2000000", "--Http:AnonymousRequestsPerSecond=0"] });
        Admin = Brain.Http();
        Public = Anonymous(Brain);
    }

    public async Task DisposeAsync()
    {
        Admin.Dispose();
        Public.Dispose();
        await Brain.DisposeAsync();
    }
}

public sealed class CodeApiTests(CodeBrain fixture) : IClassFixture<CodeBrain>
{
    private readonly HttpClient _admin = fixture.Admin;
    private readonly HttpClient _public = fixture.Public;

    private async Task<HttpClient> FirmKey(string enterprise)
    {
        var issued = await Json(await _admin.PostAsJsonAsync("/api/keys", new { role = "enterprise", enterprise }), HttpStatusCode.Created);
        return fixture.Brain.Http((string)issued["key"]!);
    }

    [Fact]
    public async Task A_prefix_is_applied_for_then_approved_refused_or_suspended_by_an_administrator()
    {
        await _admin.PutAsJsonAsync("/api/enterprises/pfx-a", new { name = "前缀甲", uscc = BundleApiTests.UsccFor(7001) });
        await _admin.PutAsJsonAsync("/api/enterprises/pfx-b", new { name = "前缀乙", uscc = BundleApiTests.UsccFor(7002) });
        var firm = await FirmKey("pfx-a");

        // The firm applies with its own key; a second application answers the same prefix.
        var applied = await Json(await firm.PutAsync("/api/enterprises/pfx-a/prefix", null), HttpStatusCode.Created);
        var prefix = (string)applied["prefix"]!;
        Assert.StartsWith(Node + ".", prefix, StringComparison.Ordinal);
        Assert.Equal("applied", (string?)applied["state"]);
        Assert.Equal(prefix, (string?)(await Json(await firm.PutAsync("/api/enterprises/pfx-a/prefix", null), HttpStatusCode.OK))["prefix"]);
        var other = (string)(await Json(await _admin.PutAsync("/api/enterprises/pfx-b/prefix", null), HttpStatusCode.Created))["prefix"]!;
        Assert.NotEqual(prefix, other);

        // Codes only under an approved prefix; the firm cannot approve itself.
        await Refused(await firm.PostAsJsonAsync("/api/enterprises/pfx-a/codes", KnifeCodes("PA-1", 10)), HttpStatusCode.Conflict, "prefix-not-approved");
        await Refused(await firm.PostAsync($"/api/prefixes/{prefix}/approve", null), HttpStatusCode.Forbidden, "forbidden");
        await Refused(await firm.PutAsync("/api/enterprises/pfx-b/prefix", null), HttpStatusCode.Forbidden, "forbidden");

        // Refusing and suspending need a reason; a refused prefix is applied for again.
        await Refused(await _admin.PostAsJsonAsync($"/api/prefixes/{other}/refuse", new { }), HttpStatusCode.BadRequest, "invalid-field");
        var refused = await Json(await _admin.PostAsJsonAsync($"/api/prefixes/{other}/refuse", new { reason = "营业执照与申请不符" }), HttpStatusCode.OK);
        Assert.Equal(("refused", "营业执照与申请不符"), ((string?)refused["state"], (string?)refused["reason"]));
        await Refused(await _admin.PostAsync($"/api/prefixes/{other}/approve", null), HttpStatusCode.Conflict, "prefix-state");
        Assert.Equal("applied", (string?)(await Json(await _admin.PutAsync("/api/enterprises/pfx-b/prefix", null), HttpStatusCode.OK))["state"]);

        Assert.Equal("approved", (string?)(await Json(await _admin.PostAsync($"/api/prefixes/{prefix}/approve", null), HttpStatusCode.OK))["state"]);
        var range = await Allocate(firm, "pfx-a", KnifeCodes("PA-1", 10));
        var code = (await Export(firm, "pfx-a", "PA-1", 1))[0][2];
        Assert.Equal("genuine", (string?)(await Scan(_public, prefix, "PA-1.000001", code))["verdict"]!["status"]);

        // Suspended: no new codes, but the codes it issued stay genuine and say the firm is suspended, and why; a forged
        // code of a suspended prefix is still not issued. Approved again, the notice is gone.
        await Json(await _admin.PostAsJsonAsync($"/api/prefixes/{prefix}/suspend", new { reason = "假冒投诉调查中" }), HttpStatusCode.OK);
        await Refused(await firm.PostAsJsonAsync("/api/enterprises/pfx-a/codes", KnifeCodes("PA-2", 10)), HttpStatusCode.Conflict, "prefix-not-approved");
        var suspended = (await Scan(_public, prefix, "PA-1.000001", code))["verdict"]!;
        Assert.Equal(("genuine", "prefix-suspended", "假冒投诉调查中"),
            ((string?)suspended["status"], (string?)suspended["firmNotice"], (string?)suspended["firmNoticeReason"]));
        var forged = (await Scan(_public, prefix, "PA-1.000001", code == "AAAAAAAA" ? "BBBBBBBB" : "AAAAAAAA"))["verdict"]!;
        Assert.Equal(("not-issued", "wrong-code"), ((string?)forged["status"], (string?)forged["reason"]));
        var handle = await Json(await _public.GetAsync($"/api/handles/{prefix}/PA-1.000001?v={code}"), HttpStatusCode.OK);
        Assert.Contains(handle["values"]!.AsArray(), v => (string?)v!["type"] == "IB_PREFIX_SUSPENDED" && (string?)v["data"]!["value"] == "假冒投诉调查中");
        await Json(await _admin.PostAsync($"/api/prefixes/{prefix}/approve", null), HttpStatusCode.OK);
        var approved = (await Scan(_public, prefix, "PA-1.000001", code))["verdict"]!;
        Assert.Equal(("genuine", null), ((string?)approved["status"], (string?)approved["firmNotice"]));

        var listed = (await Json(await _admin.GetAsync("/api/prefixes"), HttpStatusCode.OK)).AsArray();
        Assert.Contains(listed, p => (string?)p!["prefix"] == prefix && (string?)p["state"] == "approved" && (long)p["codesAssigned"]! == 10);
        Assert.Contains(listed, p => (string?)p!["prefix"] == other && (string?)p["state"] == "applied");
        Assert.NotNull(range["firstUrl"]);
    }

    [Fact]
    public async Task Codes_are_allocated_as_ranges_at_their_boundaries_and_resolve_in_the_handle_shape()
    {
        var prefix = await ApprovedFirm(_admin, "qiaofeng", 7101, shopUrl: "https://qiaofeng.example.cn/shop");
        var first = await Allocate(_admin, "qiaofeng", KnifeCodes("QF-2611-0042", 18_225));
        Assert.Equal((1L, 18_225L, 18_225L), ((long)first["range"]!["first"]!, (long)first["range"]!["last"]!, (long)first["count"]!));
        Assert.Equal($"{prefix}/QF-2611-0042.000001", (string?)first["firstHandle"]);
        var second = await Allocate(_admin, "qiaofeng", KnifeCodes("QF-2611-0042", 100));
        Assert.Equal((18_226L, 18_325L), ((long)second["range"]!["first"]!, (long)second["range"]!["last"]!));

        // Both ends of both ranges resolve; one past the end and serial 0 do not.
        foreach (var serial in new[] { "000001", "018225", "018226", "018325" })
        {
            var found = await Json(await _public.GetAsync($"/api/handles/{prefix}/QF-2611-0042.{serial}"), HttpStatusCode.OK);
            Assert.Equal(1, (int)found["responseCode"]!);
            Assert.Equal($"{prefix}/QF-2611-0042.{serial}", (string?)found["handle"]);
            var values = found["values"]!.AsArray();
            var url = values.Single(v => (string?)v!["type"] == "URL")!;
            Assert.Equal((1, "string"), ((int)url["index"]!, (string?)url["data"]!["format"]));
            Assert.EndsWith($"/t/{prefix}/QF-2611-0042.{serial}", (string)url["data"]!["value"]!, StringComparison.Ordinal);
            Assert.Contains(values, v => (string?)v!["type"] == "IB_SHOP" && (string?)v["data"]!["value"] == "https://qiaofeng.example.cn/shop");
            Assert.DoesNotContain(values, v => (string?)v!["type"] == "IB_RANGE"); // the firm's and officials' only
        }

        var past = await Json(await _public.GetAsync($"/api/handles/{prefix}/QF-2611-0042.018326"), HttpStatusCode.NotFound);
        Assert.Equal((100, "no-such-range"), ((int)past["responseCode"]!, (string?)past["reason"]));
        var zero = await Json(await _public.GetAsync($"/api/handles/{prefix}/QF-2611-0042.000000"), HttpStatusCode.BadRequest);
        Assert.Equal((2, "malformed-identifier"), ((int)zero["responseCode"]!, (string?)zero["reason"]));
        await Json(await _public.GetAsync($"/api/handles/{prefix}/QF-2611-9999.000001"), HttpStatusCode.NotFound);
        var foreignNode = await Json(await _public.GetAsync("/api/handles/88.118.6.1/QF-2611-0042.000001"), HttpStatusCode.BadRequest);
        Assert.Equal("malformed-identifier", (string?)foreignNode["reason"]);

        // The firm and officials see the range and the scans too.
        var full = await Json(await _admin.GetAsync($"/api/handles/{prefix}/QF-2611-0042.018226"), HttpStatusCode.OK);
        Assert.Contains(full["values"]!.AsArray(), v => (string?)v!["type"] == "IB_RANGE" && (string?)v["data"]!["value"] == "018226-018325");

        var ranges = (await Json(await _admin.GetAsync("/api/enterprises/qiaofeng/codes"), HttpStatusCode.OK)).AsArray();
        Assert.Equal(2, ranges.Count);
    }

    [Fact]
    public async Task A_forged_code_a_serial_outside_every_range_and_a_wrong_prefix_are_each_not_issued()
    {
        var prefix = await ApprovedFirm(_admin, "daowang", 7201);
        await Allocate(_admin, "daowang", KnifeCodes("DW-7", 50));
        var lines = await Export(_admin, "daowang", "DW-7", 1);
        Assert.Equal(50, lines.Length);
        var genuine = lines[9][2]; // serial 10
        Assert.Equal($"{prefix}/DW-7.000010", lines[9][0]);
        Assert.EndsWith($"/t/{prefix}/DW-7.000010?v={genuine}", lines[9][3], StringComparison.Ordinal);

        async Task NotIssued(string p, string suffix, string? code, string reason)
        {
            var answer = await Scan(_public, p, suffix, code);
            Assert.Equal("not-issued", (string?)answer["verdict"]!["status"]);
            Assert.Equal(reason, (string?)answer["verdict"]!["reason"]);
            Assert.Null(answer["product"]);
        }

        await NotIssued(prefix, "DW-7.000010", lines[10][2], "wrong-code"); // serial 11's code on serial 10
        await NotIssued(prefix, "DW-7.000010", "ABCDEFGH", "wrong-code");
        await NotIssued(prefix, "DW-7.000010", null, "wrong-code");
        await NotIssued(prefix, "DW-7.000051", genuine, "no-such-range");
        await NotIssued(prefix, "DW-8.000010", genuine, "no-such-range");
        await NotIssued(Node + ".999999", "DW-7.000010", genuine, "unknown-prefix");

        // The Handle API answers the same with a wrong code.
        var handle = await Json(await _public.GetAsync($"/api/handles/{prefix}/DW-7.000010?v={lines[10][2]}"), HttpStatusCode.NotFound);
        Assert.Equal((100, "wrong-code"), ((int)handle["responseCode"]!, (string?)handle["reason"]));
        Assert.Equal(1, (int)(await Json(await _public.GetAsync($"/api/handles/{prefix}/DW-7.000010?v={genuine}"), HttpStatusCode.OK))["responseCode"]!);

        // The genuine code is untouched by the forgeries: its first scan is still a first scan.
        var first = await Scan(_public, prefix, "DW-7.000010", genuine);
        Assert.Equal(("genuine", 1L), ((string?)first["verdict"]!["status"], (long)first["verdict"]!["scans"]!));

        // Suspect scans reach the cockpit as a counterfeit alert, with the firm's scans today.
        var alert = await Eventually.Value(async () =>
        {
            var cockpit = await Json(await _admin.GetAsync("/api/cockpit"), HttpStatusCode.OK);
            return cockpit["alerts"]!.AsArray().FirstOrDefault(a => (string?)a!["kind"] == "counterfeit-scans" && (string?)a["enterprise"] == "daowang"
                && (long?)a["suspect"] == 5 && (long?)a["scans"] == 6);
        }, a => a is not null, "a counterfeit alert with 5 suspect scans out of 6");

        Assert.True(alert is not null, "no counterfeit alert with 5 suspect scans out of 6 within a minute");
        Assert.Equal("Firm 7201", (string?)alert["enterpriseName"]);
    }

    [Fact]
    public async Task First_and_repeated_scans_are_counted_exactly_and_warned_past_the_limit()
    {
        var prefix = await ApprovedFirm(_admin, "scans-firm", 7301);
        await Allocate(_admin, "scans-firm", KnifeCodes("SC-1", 3));
        var code = (await Export(_admin, "scans-firm", "SC-1", 1))[1][2];

        var first = await Scan(_public, prefix, "SC-1.000002", code, "重庆市大足区");
        Assert.Equal((1L, false), ((long)first["verdict"]!["scans"]!, (bool)first["verdict"]!["warn"]!));
        var firstAt = (DateTimeOffset)first["verdict"]!["firstScanAt"]!;
        for (var n = 2; n <= 4; n++)
        {
            var again = await Scan(_public, prefix, "SC-1.000002", code.ToLowerInvariant());
            Assert.Equal(n, (long)again["verdict"]!["scans"]!);
            Assert.Equal(firstAt, (DateTimeOffset)again["verdict"]!["firstScanAt"]!);
            Assert.Equal(n > 3, (bool)again["verdict"]!["warn"]!); // Codes:WarnAfterScans=3
        }

        // Resolution does not count; another code of the range was never scanned.
        var full = await Json(await _admin.GetAsync($"/api/handles/{prefix}/SC-1.000002"), HttpStatusCode.OK);
        Assert.Contains(full["values"]!.AsArray(), v => (string?)v!["type"] == "IB_SCANS" && (string?)v["data"]!["value"] == "4");
        var untouched = await Json(await _admin.GetAsync($"/api/handles/{prefix}/SC-1.000001"), HttpStatusCode.OK);
        Assert.Contains(untouched["values"]!.AsArray(), v => (string?)v!["type"] == "IB_SCANS" && (string?)v["data"]!["value"] == "0");
        Assert.Equal("重庆市大足区", (string?)(await Scan(_public, prefix, "SC-1.000002", code))["recentScans"]![0]!["place"]);
    }

    [Fact]
    public async Task Bad_requests_are_refused_with_a_reason_and_change_nothing()
    {
        var prefix = await ApprovedFirm(_admin, "strict-firm", 7401);
        await Allocate(_admin, "strict-firm", KnifeCodes("ST-1", 10));
        var before = await _admin.GetStringAsync("/api/enterprises/strict-firm/codes");

        await Refused(await _admin.PostAsJsonAsync("/api/enterprises/strict-firm/codes", KnifeCodes("ST-1", 10, attributes: new { bladeSteel = "5Cr15MoV", bladeLength = "900" })),
            HttpStatusCode.BadRequest, "template-violation");
        await Refused(await _admin.PostAsJsonAsync("/api/enterprises/strict-firm/codes", KnifeCodes("ST-1", 10, attributes: new { bladeLength = "200" })),
            HttpStatusCode.BadRequest, "template-violation");
        await Refused(await _admin.PostAsJsonAsync("/api/enterprises/strict-firm/codes", KnifeCodes("ST-1", 2_000_001)), HttpStatusCode.Conflict, "over-allocation");
        await Refused(await _admin.PostAsJsonAsync("/api/enterprises/strict-firm/codes", KnifeCodes("ST-1", 0)), HttpStatusCode.BadRequest, "invalid-quantity");
        await Refused(await _admin.PostAsJsonAsync("/api/enterprises/strict-firm/codes", KnifeCodes("ST 1", 10)), HttpStatusCode.BadRequest, "invalid-id");
        await Refused(await _admin.PostAsJsonAsync("/api/enterprises/strict-firm/codes", KnifeCodes("ST-1", 10, gtin: "06901234567893")), HttpStatusCode.BadRequest, "gtin-check-digit");
        await Refused(await _admin.PostAsJsonAsync("/api/enterprises/strict-firm/codes", new { order = "ST-1", quantity = 5, template = "swords", product = "x" }),
            HttpStatusCode.BadRequest, "unknown-template");
        await Refused(await _admin.PostAsJsonAsync("/api/enterprises/no-prefix-firm/codes", KnifeCodes("X-1", 5)), HttpStatusCode.Conflict, "unknown-prefix");
        await Refused(await _public.PostAsJsonAsync($"/api/scans/{prefix}/ST-1", new { code = "ABCDEFGH" }), HttpStatusCode.BadRequest, "malformed-identifier");
        await Refused(await _public.GetAsync("/01/06901234567893/21/ST-1.000001"), HttpStatusCode.BadRequest, "gtin-check-digit");

        Assert.Equal(before, await _admin.GetStringAsync("/api/enterprises/strict-firm/codes"));
        var shop = await _admin.PutAsJsonAsync("/api/enterprises/strict-firm", new { name = "Firm", uscc = BundleApiTests.UsccFor(7401), shopUrl = "javascript:alert(1)" });
        await Refused(shop, HttpStatusCode.BadRequest, "invalid-field");

        // Anonymous callers resolve and scan; nothing else.
        await Refused(await _public.GetAsync("/api/enterprises/strict-firm/codes"), HttpStatusCode.Unauthorized, "unauthenticated");
        await Refused(await _public.GetAsync("/api/prefixes"), HttpStatusCode.Unauthorized, "unauthenticated");
    }

    [Fact]
    public async Task A_firm_sees_and_exports_its_own_codes_only()
    {
        await ApprovedFirm(_admin, "own-a", 7501);
        await ApprovedFirm(_admin, "own-b", 7502);
        await Allocate(_admin, "own-b", KnifeCodes("OB-1", 5));
        var firmA = await FirmKey("own-a");
        await Allocate(firmA, "own-a", KnifeCodes("OA-1", 5));
        Assert.Single((await Json(await firmA.GetAsync("/api/enterprises/own-a/codes"), HttpStatusCode.OK)).AsArray());
        await Refused(await firmA.GetAsync("/api/enterprises/own-b/codes"), HttpStatusCode.Forbidden, "forbidden");
        await Refused(await firmA.GetAsync("/api/enterprises/own-b/codes/OB-1/1/export"), HttpStatusCode.Forbidden, "forbidden");
        await Refused(await firmA.PostAsJsonAsync("/api/enterprises/own-b/codes", KnifeCodes("OB-2", 5)), HttpStatusCode.Forbidden, "forbidden");
        var templates = (await Json(await firmA.GetAsync("/api/code-templates"), HttpStatusCode.OK)).AsArray().Select(t => (string?)t!["id"]).ToHashSet();
        Assert.Superset(new HashSet<string?> { "knives", "scissors", "locks" }, templates);
        var urls = await firmA.GetStringAsync("/api/enterprises/own-a/codes/OA-1/1/export?format=urls");
        Assert.Equal(5, urls.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
    }

    [Fact]
    public async Task A_code_with_a_gtin_answers_the_same_under_gs1_digital_link()
    {
        var prefix = await ApprovedFirm(_admin, "gs1-firm", 7601, shopUrl: "https://gs1-firm.example.cn/item/8");
        await Allocate(_admin, "gs1-firm", KnifeCodes("GS-1", 20, gtin: "6901234567892"));
        var code = (await Export(_admin, "gs1-firm", "GS-1", 1))[4][2];

        // The GTIN is taken: another firm cannot register it.
        await ApprovedFirm(_admin, "gs1-other", 7602);
        await Refused(await _admin.PostAsJsonAsync("/api/enterprises/gs1-other/codes", KnifeCodes("GO-1", 5, gtin: "06901234567892")), HttpStatusCode.Conflict, "gtin-taken");

        using var noRedirect = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = fixture.Brain.BaseAddress };
        var redirect = await noRedirect.GetAsync($"/01/06901234567892/21/GS-1.000005?v={code}");
        Assert.Equal(HttpStatusCode.TemporaryRedirect, redirect.StatusCode);
        Assert.EndsWith($"/t/{prefix}/GS-1.000005?v={code}&gtin=06901234567892", redirect.Headers.Location!.ToString(), StringComparison.Ordinal);

        var linkset = await noRedirect.GetAsync($"/01/06901234567892/21/GS-1.000005?linkType=all");
        Assert.Equal("application/linkset+json", linkset.Content.Headers.ContentType!.MediaType);
        var links = (await Json(linkset, HttpStatusCode.OK))["linkset"]![0]!;
        Assert.EndsWith("/01/06901234567892/21/GS-1.000005", (string)links["anchor"]!, StringComparison.Ordinal);
        Assert.Equal("https://gs1-firm.example.cn/item/8", (string?)links["https://gs1.org/voc/pip"]![0]!["href"]);
        Assert.Contains($"/t/{prefix}/GS-1.000005", (string)links["https://gs1.org/voc/defaultLink"]![0]!["href"]!, StringComparison.Ordinal);
        var pip = await noRedirect.GetAsync("/01/06901234567892/21/GS-1.000005?linkType=gs1:pip");
        Assert.Equal(("https://gs1-firm.example.cn/item/8", HttpStatusCode.TemporaryRedirect), (pip.Headers.Location!.ToString(), pip.StatusCode));
        await Refused(await noRedirect.GetAsync("/01/06901234567892/21/GS-1.000021?linkType=all"), HttpStatusCode.NotFound, "not-issued");
        await Refused(await noRedirect.GetAsync("/01/06901234567892/21/GS-1.000005?linkType=gs1:nonsense"), HttpStatusCode.NotFound, "unknown-link-type");

        // Scanned through the GS1 syntax (the page sends the GTIN along) it is the same code as under its handle.
        var viaGs1 = await Json(await _public.PostAsJsonAsync($"/api/scans/{prefix}/GS-1.000005", new { code, gtin = "06901234567892" }), HttpStatusCode.OK);
        Assert.Equal(("genuine", 1L), ((string?)viaGs1["verdict"]!["status"], (long)viaGs1["verdict"]!["scans"]!));
        var viaHandle = await Scan(_public, prefix, "GS-1.000005", code);
        Assert.Equal(2L, (long)viaHandle["verdict"]!["scans"]!);
        var wrongGtin = await Json(await _public.PostAsJsonAsync($"/api/scans/{prefix}/GS-1.000005", new { code, gtin = "96385074" }), HttpStatusCode.OK);
        Assert.Equal(("not-issued", "wrong-gtin"), ((string?)wrongGtin["verdict"]!["status"], (string?)wrongGtin["verdict"]!["reason"]));

        var resolver = await Json(await _public.GetAsync("/.well-known/gs1resolver"), HttpStatusCode.OK);
        Assert.Contains("01", resolver["supportedPrimaryKeys"]!.AsArray().Select(k => (string?)k));
    }

    [Fact]
    public async Task A_genuine_scan_names_the_steel_bundle_the_firm_bought_through_and_its_shop()
    {
        var prefix = await ApprovedFirm(_admin, "steel-buyer", 7651, shopUrl: "https://steel-buyer.example.cn");
        await Json(await _admin.PutAsJsonAsync("/api/bundles/codes-steel-2611", BundleApiTests.SteelTerms(DateTimeOffset.UtcNow.AddDays(2))), HttpStatusCode.Created);
        await Json(await _admin.PutAsJsonAsync("/api/bundles/codes-steel-2611/pledges/steel-buyer", new { quantity = 60 }), HttpStatusCode.OK);
        Assert.Equal("closed", (string?)(await Json(await _admin.PostAsync("/api/bundles/codes-steel-2611/close", null), HttpStatusCode.OK))["state"]);

        await Allocate(_admin, "steel-buyer", KnifeCodes("SB-1", 3));
        var code = (await Export(_admin, "steel-buyer", "SB-1", 1))[0][2];
        var trace = await Scan(_public, prefix, "SB-1.000001", code);
        var material = Assert.Single(trace["materials"]!.AsArray())!;
        Assert.Equal(("codes-steel-2611", "5Cr15MoV stainless strip 2.5mm"), ((string?)material["bundle"], (string?)material["material"]));
        Assert.Equal("https://steel-buyer.example.cn", (string?)trace["firm"]!["shopUrl"]);
        Assert.Equal("2026-11-28", (string?)trace["order"]!["productionDate"]);
        Assert.Equal("3324", (string?)trace["product"]!["industryCode"]);
    }

    [Fact]
    public async Task A_template_gets_a_new_version_and_registered_codes_keep_theirs()
    {
        var v2 = await Json(await _admin.PutAsJsonAsync("/api/code-templates/knives", CodeTemplatesFor.KnivesV2), HttpStatusCode.Created);
        Assert.Equal(2, (int)v2["version"]!);
        await Refused(await _admin.PutAsJsonAsync("/api/code-templates/knives", CodeTemplatesFor.KnivesV2 with { IndustryCode = "knife" }), HttpStatusCode.BadRequest, "invalid-template");
        var prefix = await ApprovedFirm(_admin, "tmpl-firm", 7701);
        var latest = await Allocate(_admin, "tmpl-firm", KnifeCodes("TP-1", 5, attributes: new { bladeSteel = "5Cr15MoV", bladeLength = "200", edgeAngle = "15" }));
        Assert.Equal(2, (int)latest["range"]!["templateVersion"]!);
        var old = await Allocate(_admin, "tmpl-firm", new { order = "TP-2", quantity = 5, template = "knives", templateVersion = 1, product = "刀", attributes = new { bladeSteel = "3Cr13", bladeLength = "180" } });
        Assert.Equal(1, (int)old["range"]!["templateVersion"]!);
        Assert.NotNull(prefix);
    }
}

/// <summary>A second version of the knives template: an edge angle is added.</summary>
public static class CodeTemplatesFor
{
    public static readonly IndustryBrain.Contracts.CodeTemplate KnivesV2 = IndustryBrain.Codes.CodeTemplates.Knives with
    {
        Version = 0,
        Attributes = [.. IndustryBrain.Codes.CodeTemplates.Knives.Attributes, new("edgeAngle", "number", "°", false, 5, 40, "刃角", "Edge angle")],
    };
}
