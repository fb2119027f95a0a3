using System.Net;
using IndustryBrain.Client.Commands;
using MQTTnet;

namespace IndustryBrain.Tests.Security;

public sealed class SecurityCommandTests(TerminalsSilo terminals) : IClassFixture<TerminalsSilo>
{
    private SecuredSilo Silo => terminals.Silo;

    private async Task<(int Code, string Output, string Error)> Brain(string? key, params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        string[] common = key is null ? ["--api", Silo.Http.BaseAddress!.ToString()] : ["--api", Silo.Http.BaseAddress!.ToString(), "--key", key];
        var code = await BrainCommand.Run([.. common, .. args], output, error);
        return (code, output.ToString(), error.ToString());
    }

    [Fact]
    public async Task Brain_key_create_shows_a_key_once_that_then_works_within_its_role_until_brain_key_revoke()
    {
        var created = await Brain(Silo.AdminKey, "key", "create", "--role", "official");
        Assert.Equal(0, created.Code);
        var lines = created.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var key = lines[0].Trim();
        Assert.Matches("^ib_[a-z2-7]{12}_[a-z2-7]{52}$", key);
        var keyId = key.Split('_')[1];
        Assert.Contains($"key id {keyId}, role official; shown only now", lines[1], StringComparison.Ordinal);

        using (var read = await Silo.Send(HttpMethod.Get, "/api/enterprises/qiaofeng", key))
        {
            Assert.Equal(HttpStatusCode.OK, read.StatusCode);
        }

        var listed = await Brain(Silo.AdminKey, "key", "list");
        Assert.Contains(listed.Output.Split('\n'), line => line.StartsWith(keyId, StringComparison.Ordinal) && line.Contains("official", StringComparison.Ordinal));
        Assert.DoesNotContain(key, listed.Output, StringComparison.Ordinal);

        var revoked = await Brain(Silo.AdminKey, "key", "revoke", keyId);
        Assert.Equal(0, revoked.Code);
        Assert.Equal($"revoked key {keyId}", revoked.Output.Trim());
        using var after = await Silo.Send(HttpMethod.Get, "/api/enterprises/qiaofeng", key);
        Assert.Equal(HttpStatusCode.Unauthorized, after.StatusCode);
    }

    [Fact]
    public async Task Brain_key_commands_tell_refusals_in_one_line()
    {
        var official = (await Brain(Silo.AdminKey, "key", "create", "--role", "official")).Output.Split('\n')[0].Trim();
        var forbidden = await Brain(official, "key", "create", "--role", "admin");
        Assert.Equal(1, forbidden.Code);
        Assert.StartsWith("forbidden: a key with the role official may not POST this resource", forbidden.Error, StringComparison.Ordinal);

        var noKey = await Brain(null, "key", "list");
        Assert.Equal(1, noKey.Code);
        Assert.StartsWith("unauthenticated: ", noKey.Error, StringComparison.Ordinal);

        var unknown = await Brain(Silo.AdminKey, "key", "create", "--role", "enterprise", "--enterprise", "nobody");
        Assert.Equal(1, unknown.Code);
        Assert.StartsWith("unknown-enterprise: enterprise 'nobody' is not registered", unknown.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Brain_terminal_issue_gives_a_password_that_connects_until_brain_terminal_revoke()
    {
        var issued = await Brain(terminals.QiaofengKey, "terminal", "issue", "qiaofeng/CLI1");
        Assert.Equal(0, issued.Code);
        var lines = issued.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("username qiaofeng/CLI1", lines[0]);
        var password = lines[1]["password ".Length..].Trim();

        await using (var terminal = await MqttTerminal.ConnectAs(Silo.MqttPort, "qiaofeng/CLI1", password))
        {
            Assert.Equal(MqttClientConnectResultCode.Success, terminal.Result.ResultCode);
        }

        var revoked = await Brain(terminals.QiaofengKey, "terminal", "revoke", "qiaofeng/CLI1");
        Assert.Equal(0, revoked.Code);
        Assert.Equal("revoked the credential of qiaofeng/CLI1", revoked.Output.Trim());
        await using var refused = await MqttTerminal.ConnectAs(Silo.MqttPort, "qiaofeng/CLI1", password);
        Assert.Equal(MqttClientConnectResultCode.BadUserNameOrPassword, refused.Result.ResultCode);

        var other = await Brain(terminals.QiaofengKey, "terminal", "issue", "other/CLI1");
        Assert.Equal(1, other.Code);
        Assert.StartsWith("forbidden: ", other.Error, StringComparison.Ordinal);

        var malformed = await Brain(terminals.QiaofengKey, "terminal", "issue", "qiaofeng");
        Assert.Equal(1, malformed.Code);
        Assert.Equal("'qiaofeng' is not enterprise/terminal, e.g. qiaofeng/T1", malformed.Error.Trim());
    }

    [Fact]
    public async Task Brain_broker_files_writes_mosquittos_password_and_acl_files()
    {
        var folder = Path.Combine(Path.GetTempPath(), "ib-broker-files-" + Guid.NewGuid().ToString("N"));
        try
        {
            var written = await Brain(Silo.AdminKey, "broker", "files", "--out", folder, "--brain-user", "brain-7");
            Assert.Equal(0, written.Code);
            var passwd = await File.ReadAllLinesAsync(Path.Combine(folder, "passwd"));
            Assert.Contains(passwd, line => line.StartsWith("qiaofeng/T1:$7$1000$", StringComparison.Ordinal));
            Assert.DoesNotContain(passwd, line => line.Contains(terminals.Passwords["qiaofeng/T1"], StringComparison.Ordinal));
            var acl = await File.ReadAllTextAsync(Path.Combine(folder, "acl"));
            Assert.Contains("user brain-7\ntopic readwrite ib/#\n", acl, StringComparison.Ordinal);
            Assert.Contains("user qiaofeng/T1\ntopic write ib/qiaofeng/T1/count\ntopic write ib/qiaofeng/T1/status\ntopic read ib/qiaofeng/T1/#\ntopic read ib/brain/state\n", acl, StringComparison.Ordinal);

            var official = (await Brain(Silo.AdminKey, "key", "create", "--role", "official")).Output.Split('\n')[0].Trim();
            var refused = await Brain(official, "broker", "files", "--out", folder);
            Assert.Equal(1, refused.Code);
            Assert.StartsWith("forbidden: ", refused.Error, StringComparison.Ordinal);
        }
        finally
        {
            if (Directory.Exists(folder))
            {
                Directory.Delete(folder, recursive: true);
            }
        }
    }
}
