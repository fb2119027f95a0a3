using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using IndustryBrain.Tests.Cockpit;

namespace IndustryBrain.Tests.Board;

/// <summary>ERP documents over HTTP on a real silo: one by one (idempotent), in bulk as CSV and JSON, and on the board.</summary>
public sealed class ErpApiTests
{
    private static async Task<JsonNode> Json(HttpResponseMessage answer) => JsonNode.Parse(await answer.Content.ReadAsStringAsync())!;

    [Fact]
    public async Task Documents_put_one_by_one_are_idempotent_and_bad_ones_are_refused_with_a_reason()
    {
        await using var silo = await CockpitSilo.Start();
        await silo.Register("qiaofeng", "重庆桥丰五金制造有限公司", "knives");
        await silo.PlanKnives("qiaofeng", "QF-1", 1000, DateTimeOffset.UtcNow.AddDays(3));
        var order = new { customer = "永辉超市", date = "2026-11-20", lines = new[] { new { product = "斩骨刀", quantity = 1000, unitPrice = 38.5m, order = "QF-1" } } };

        Assert.Equal(HttpStatusCode.Created, (await silo.Client.PutAsJsonAsync("api/enterprises/qiaofeng/sales-orders/SO-1", order)).StatusCode);
        var again = await silo.Client.PutAsJsonAsync("api/enterprises/qiaofeng/sales-orders/SO-1", order);
        Assert.Equal((HttpStatusCode.OK, "unchanged"), (again.StatusCode, (string)(await Json(again))["outcome"]!));

        var over = await silo.Client.PutAsJsonAsync("api/enterprises/qiaofeng/shipments/SH-1", new { salesOrder = "SO-1", lines = new[] { new { line = 1, quantity = 1001 } } });
        Assert.Equal((HttpStatusCode.Conflict, "shipment-over-ordered"), (over.StatusCode, (string)(await Json(over))["reason"]!));
        Assert.Equal(HttpStatusCode.Created, (await silo.Client.PutAsJsonAsync("api/enterprises/qiaofeng/shipments/SH-1", new { salesOrder = "SO-1", lines = new[] { new { line = 1, quantity = 600 } } })).StatusCode);
        var negative = await silo.Client.PutAsJsonAsync("api/enterprises/qiaofeng/invoices/INV-1", new { salesOrder = "SO-1", amount = -1m, received = 0m });
        Assert.Equal((HttpStatusCode.BadRequest, "invalid-amount"), (negative.StatusCode, (string)(await Json(negative))["reason"]!));
        Assert.Equal(HttpStatusCode.Created, (await silo.Client.PutAsJsonAsync("api/enterprises/qiaofeng/invoices/INV-1", new { salesOrder = "SO-1", amount = 23100m, received = 20000m })).StatusCode);
        var unknown = await silo.Client.PutAsJsonAsync("api/enterprises/qiaofeng/sales-orders/SO-2", new { customer = "x", lines = new[] { new { product = "刀", quantity = 1, unitPrice = 1m, order = "QF-404" } } });
        Assert.Equal((HttpStatusCode.BadRequest, "unknown-order"), (unknown.StatusCode, (string)(await Json(unknown))["reason"]!));
        Assert.Equal(HttpStatusCode.NotFound, (await silo.Client.PutAsJsonAsync("api/enterprises/nobody/sales-orders/SO-1", order)).StatusCode);

        var sales = await silo.Client.GetFromJsonAsync<JsonNode>("api/enterprises/qiaofeng/sales");
        Assert.Equal((1, 38500m, 23100m, 23100m, 20000m), ((int)sales!["salesOrders"]!, (decimal)sales["orderedValue"]!, (decimal)sales["shippedValue"]!,
            (decimal)sales["invoicedValue"]!, (decimal)sales["receivedValue"]!));

        // The board shows the sales and which customer each order serves.
        var board = await silo.BoardOnce("qiaofeng", b => (decimal)b["sales"]!["receivedValue"]! == 20000m);
        Assert.Equal(["永辉超市"], BoardSilo.Order(board, "QF-1")!["customers"]!.AsArray().Select(c => (string)c!));

        // The district's economic monitoring: sales value beside output value (SO-1 is dated 20 November, not today).
        var cockpit = await silo.CockpitOnce(v => v["sales"]?["value"]?.GetValue<decimal>() == 38500m);
        Assert.Equal(0m, (decimal)cockpit["sales"]!["today"]!);
    }

    [Fact]
    public async Task A_csv_import_applies_the_good_lines_and_reports_each_bad_line_with_its_number_and_reason()
    {
        await using var silo = await CockpitSilo.Start();
        await silo.Register("qiaofeng", "重庆桥丰五金制造有限公司", "knives");
        await silo.PlanKnives("qiaofeng", "QF-1", 1000, DateTimeOffset.UtcNow.AddDays(3));
        const string csv = """
            kind,id,customer,date,product,quantity,unitPrice,order,salesOrder,line,amount,received
            shipment,SH-1,,2026-11-21,,300,,,SO-1,1,,
            sales-order,SO-1,永辉超市,2026-11-20,斩骨刀,1000,38.5,QF-1,,,,
            sales-order,SO-1,永辉超市,2026-11-20,"菜刀, 7寸",200,20,,,,,
            sales-order,SO-2,京东五金,2026-11-20,剪刀,-5,12,,,,,
            sales-order,SO-3,京东五金,2026-11-20,剪刀,10,12,QF-404,,,,
            shipment,SH-2,,2026-11-21,,900,,,SO-1,1,,
            invoice,INV-1,,2026-11-21,,,,,SO-1,,-100,
            invoice,INV-2,,2026-11-21,,,,,SO-1,,11550,11550
            sales-order,SO-4,only three fields
            shipment,SH-3,,21/11/2026,,1,,,SO-1,2,,
            """;

        using var body = new StringContent(csv, Encoding.UTF8, "text/csv");
        var answer = await silo.Client.PostAsync("api/enterprises/qiaofeng/erp/import", body);
        Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
        var report = await Json(answer);

        // SO-1 (two lines), SH-1 and INV-2 applied; each bad line named by its line in the file.
        Assert.Equal(3, (int)report["applied"]!);
        var problems = report["problems"]!.AsArray().Select(p => ((int)p!["line"]!, (string)p["reason"]!)).ToArray();
        Assert.Equal([(5, "invalid-quantity"), (6, "unknown-order"), (7, "shipment-over-ordered"), (8, "invalid-amount"), (10, "malformed-csv"), (11, "invalid-field")], problems);

        var sales = await silo.Client.GetFromJsonAsync<JsonNode>("api/enterprises/qiaofeng/sales");
        Assert.Equal((1, 38500m + 4000m, 300 * 38.5m, 11550m), ((int)sales!["salesOrders"]!, (decimal)sales["orderedValue"]!, (decimal)sales["shippedValue"]!, (decimal)sales["receivedValue"]!));

        // The same file again changes nothing.
        using var again = new StringContent(csv, Encoding.UTF8, "text/csv");
        var second = await Json(await silo.Client.PostAsync("api/enterprises/qiaofeng/erp/import", again));
        Assert.Equal((0, 3), ((int)second["applied"]!, (int)second["unchanged"]!));
    }

    [Fact]
    public async Task A_json_import_reports_bad_documents_by_their_place_and_a_firm_imports_only_its_own()
    {
        await using var silo = await CockpitSilo.Start();
        await silo.Register("qiaofeng", "重庆桥丰五金制造有限公司", "knives");
        await silo.Register("daowang", "龙水刀王刀具有限公司", "knives");
        var import = new
        {
            salesOrders = new object[]
            {
                new { id = "SO-1", customer = "永辉超市", lines = new[] { new { product = "斩骨刀", quantity = 10, unitPrice = 38.5m } } },
                new { id = "SO-2", customer = "", lines = new[] { new { product = "斩骨刀", quantity = 10, unitPrice = 38.5m } } },
            },
            shipments = new[] { new { id = "SH-1", salesOrder = "SO-9", lines = new[] { new { line = 1, quantity = 1 } } } },
        };

        var report = await Json(await silo.Client.PostAsJsonAsync("api/enterprises/qiaofeng/erp/import", import));
        Assert.Equal(1, (int)report["applied"]!);
        Assert.Equal([("sales-order", 2, "invalid-field"), ("shipment", 1, "unknown-sales-order")],
            report["problems"]!.AsArray().Select(p => ((string)p!["kind"]!, (int)p["line"]!, (string)p["reason"]!)).OrderBy(p => p.Item1));

        using var daowang = silo.As(await silo.Key(new { role = "enterprise", enterprise = "daowang" }));
        Assert.Equal(HttpStatusCode.Forbidden, (await daowang.PostAsJsonAsync("api/enterprises/qiaofeng/erp/import", import)).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await daowang.GetAsync("api/enterprises/qiaofeng/sales")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await daowang.PostAsJsonAsync("api/enterprises/daowang/erp/import", import)).StatusCode);
    }
}
