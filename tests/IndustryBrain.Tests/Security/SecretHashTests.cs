using System.Diagnostics;
using IndustryBrain.Silo.Security;

namespace IndustryBrain.Tests.Security;

public sealed class SecretHashTests
{
    [Fact]
    public void A_hash_verifies_its_secret_and_no_other()
    {
        var hash = SecretHash.Create("s3cret-one");
        Assert.True(SecretHash.Verify("s3cret-one", hash));
        Assert.False(SecretHash.Verify("s3cret-onE", hash));
        Assert.False(SecretHash.Verify("", hash));
    }

    [Fact]
    public void The_same_secret_hashes_differently_each_time_and_never_contains_itself()
    {
        var first = SecretHash.Create("same-secret");
        var second = SecretHash.Create("same-secret");
        Assert.NotEqual(first, second);
        Assert.DoesNotContain("same-secret", first, StringComparison.Ordinal);
        Assert.StartsWith("$7$1000$", first, StringComparison.Ordinal);
        Assert.Equal(5, first.Split('$').Length);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("plain")]
    [InlineData("$7$abc$AAAA$AAAA")]
    [InlineData("$7$1000$not base64$AAAA")]
    [InlineData("$7$0$AAAAAAAAAAAAAAAA$AAAA")]
    [InlineData("$6$salt$hash")]
    public void A_damaged_hash_verifies_nothing(string? stored) => Assert.False(SecretHash.Verify("anything", stored));

    [Fact]
    public void A_password_hashed_by_mosquitto_passwd_verifies_here()
    {
        var file = Path.GetTempFileName();
        try
        {
            using (var process = Process.Start("mosquitto_passwd", ["-b", file, "qiaofeng/T1", "terminal-password"]))
            {
                process.WaitForExit();
                Assert.Equal(0, process.ExitCode);
            }

            var line = File.ReadAllLines(file).Single();
            var hash = line["qiaofeng/T1:".Length..];
            Assert.True(SecretHash.Verify("terminal-password", hash));
            Assert.False(SecretHash.Verify("terminal-passworD", hash));
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public void Keys_name_their_id_and_nothing_else_passes_for_a_key()
    {
        var key = Secrets.NewApiKey("abc123");
        Assert.True(Secrets.TryKeyId(key, out var id));
        Assert.Equal("abc123", id);
        Assert.Equal(3 + 6 + 1 + Secrets.KeySecretLength, key.Length);
        Assert.False(Secrets.TryKeyId("ib__secret", out _));
        Assert.False(Secrets.TryKeyId("ib_abc", out _));
        Assert.False(Secrets.TryKeyId("ib_abc_", out _));
        Assert.False(Secrets.TryKeyId("ib_a/b_secret", out _));
        Assert.False(Secrets.TryKeyId("xx_abc_secret", out _));
        Assert.NotEqual(Secrets.NewPassword(), Secrets.NewPassword());
        Assert.Matches("^[a-z2-7]{32}$", Secrets.NewPassword());
    }
}
