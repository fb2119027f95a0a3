using System.Net.Http.Json;
using IndustryBrain.Client.Commands;
using IndustryBrain.Tests.Bundles;
using IndustryBrain.Tests.Infrastructure;

namespace IndustryBrain.Tests.Codes;

public sealed class CodeCommandTests(CodeBrain fixture) : IClassFixture<CodeBrain>
{
    private async Task<(int Code, string Output, string Error)> Brain(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var code = await BrainCommand.Run(["--api", fixture.Brain.BaseAddress.ToString(), "--key", BrainOptions.TestAdminKey, .. args], output, error);
        return (code, output.ToString(), error.ToString());
    }

    [Fact]
    public async Task The_cli_applies_approves_assigns_exports_and_resolves()
    {
        var registered = await fixture.Admin.PutAsJsonAsync("/api/enterprises/cli-knives", new { name = "刀王", uscc = BundleApiTests.UsccFor(8101) });
        Assert.True(registered.IsSuccessStatusCode);

        var applied = await Brain("codes", "apply", "cli-knives");
        Assert.Equal(0, applied.Code);
        Assert.Contains("cli-knives  applied", applied.Output);
        var prefix = applied.Output.Split(' ', 2)[0];

        Assert.Contains("approved", (await Brain("codes", "approve", prefix)).Output);
        var assigned = await Brain("codes", "assign", "cli-knives", "CK-1", "1200", "--template", "knives", "--product", "菜刀",
            "--attr", "bladeSteel=3Cr13", "--attr", "bladeLength=180");
        Assert.Equal(0, assigned.Code);
        Assert.Contains($"1,200 codes: {prefix}/CK-1.000001 to .001200", assigned.Output);

        var file = Path.Combine(Path.GetTempPath(), $"codes-{Guid.NewGuid():N}.csv");
        try
        {
            Assert.Equal(0, (await Brain("codes", "export", "cli-knives", "CK-1", "1", "--out", file)).Code);
            var lines = await File.ReadAllLinesAsync(file);
            Assert.Equal(1201, lines.Length);
            var last = lines[^1].Split(',');
            Assert.Equal($"{prefix}/CK-1.001200", last[0]);

            var resolved = await Brain("codes", "resolve", last[0], "--code", last[2]);
            Assert.Equal(0, resolved.Code);
            Assert.Contains($"{prefix}/CK-1.001200: issued", resolved.Output);
            Assert.Contains("IB_PRODUCT", resolved.Output);
            var forged = await Brain("codes", "resolve", $"{prefix}/CK-1.001201");
            Assert.Equal((1, $"{prefix}/CK-1.001201: not issued"), (forged.Code, forged.Output.Trim()));
        }
        finally
        {
            File.Delete(file);
        }

        var refused = await Brain("codes", "assign", "cli-knives", "CK-1", "5", "--template", "knives", "--product", "菜刀", "--attr", "bladeLength=180");
        Assert.Equal(1, refused.Code);
        Assert.StartsWith("template-violation: attribute 'bladeSteel' is required", refused.Error);
        Assert.Contains(prefix, (await Brain("codes", "prefixes")).Output);
        Assert.Contains("knives@1", (await Brain("codes", "templates")).Output);
    }
}
