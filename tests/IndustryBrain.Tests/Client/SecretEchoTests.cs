using IndustryBrain.Client.Commands;

namespace IndustryBrain.Tests.Client;

/// <summary>No secret is ever printed by the command line: not in help, not in errors.</summary>
[Collection(nameof(EnvironmentKey))]
public sealed class SecretEchoTests
{
    private const string Secret = "ib_helpleak001_abcdefghijklmnopqrstuvwxyz234567abcdefghijklmnopqrstuvwxyz";

    private static async Task<string> Brain(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var previous = Environment.GetEnvironmentVariable("IB_KEY");
        Environment.SetEnvironmentVariable("IB_KEY", Secret);
        try
        {
            await BrainCommand.Run(args, output, error);
        }
        finally
        {
            Environment.SetEnvironmentVariable("IB_KEY", previous);
        }

        return output + "\n" + error;
    }

    [Theory]
    [InlineData("order", "list", "--help")]
    [InlineData("--help")]
    [InlineData("key", "create", "--help")]
    [InlineData("simulate", "--help")]
    public async Task Help_does_not_show_the_key_taken_from_IB_KEY(params string[] args)
    {
        var printed = await Brain(args);
        Assert.Contains("--key", printed, StringComparison.Ordinal);
        Assert.DoesNotContain(Secret, printed, StringComparison.Ordinal);
        Assert.DoesNotContain("helpleak001", printed, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unreachable_brain_is_reported_without_the_key()
    {
        var printed = await Brain("order", "list", "qiaofeng", "--api", "http://127.0.0.1:1");
        Assert.Contains("unreachable", printed, StringComparison.Ordinal);
        Assert.DoesNotContain("helpleak001", printed, StringComparison.Ordinal);
    }
}
