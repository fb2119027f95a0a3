using IndustryBrain.Client.Commands;
using IndustryBrain.Tests.Cockpit;
using IndustryBrain.Tests.Infrastructure;

namespace IndustryBrain.Tests.Board;

public sealed class ErpCommandTests
{
    [Fact]
    public async Task Brain_erp_import_sends_a_csv_file_and_lists_the_lines_refused()
    {
        await using var silo = await CockpitSilo.Start();
        await silo.Register("qiaofeng", "重庆桥丰五金制造有限公司", "knives");
        var file = Path.Combine(Path.GetTempPath(), $"erp-{Guid.NewGuid():N}.csv");
        await File.WriteAllTextAsync(file, """
            kind,id,customer,quantity,unitPrice,product,salesOrder,line
            sales-order,SO-1,永辉超市,100,38.5,斩骨刀,,
            shipment,SH-1,,120,,,SO-1,1
            """);
        try
        {
            var output = new StringWriter();
            var error = new StringWriter();
            var code = await BrainCommand.Run(["--api", silo.Http.ToString(), "--key", BrainOptions.TestAdminKey, "erp", "import", file, "--enterprise", "qiaofeng"], output, error);

            Assert.Equal(1, code);
            Assert.Contains("1 documents applied, 0 unchanged, 1 lines refused", output.ToString());
            Assert.Contains("shipment-over-ordered", output.ToString());
            Assert.DoesNotContain(BrainOptions.TestAdminKey, output.ToString() + error);
        }
        finally
        {
            File.Delete(file);
        }
    }
}
