using System.Diagnostics;
using IndustryBrain.Tests.Infrastructure;

namespace IndustryBrain.Tests.FirstHour;

/// <summary>The README's way to get `brain`: scripts/install-brain.sh packs the client as a .NET tool and installs it.</summary>
public sealed class BrainToolTests
{
    [Fact]
    public async Task The_install_script_packs_the_client_as_a_tool_and_the_installed_brain_answers_help()
    {
        var toolPath = Path.Combine(Path.GetTempPath(), "ib-brain-tool-" + Guid.NewGuid().ToString("N"));
        try
        {
            var install = await Run("bash", [Path.Combine(SiloBuild.RepositoryRoot, "scripts", "install-brain.sh"), "--tool-path", toolPath]);
            Assert.True(install.Exit == 0, $"install-brain.sh exited with {install.Exit}:\n{install.Output}");
            Assert.Contains($"installed {toolPath}/brain", install.Output, StringComparison.Ordinal);

            var help = await Run(Path.Combine(toolPath, "brain"), ["--help"]);
            Assert.True(help.Exit == 0, $"brain --help exited with {help.Exit}:\n{help.Output}");
            Assert.Contains("brain: the IndustryBrain command line", help.Output, StringComparison.Ordinal);
            foreach (var command in new[] { "enterprise", "order", "bundle", "simulate", "key", "terminal" })
            {
                Assert.Contains($"  {command} ", help.Output, StringComparison.Ordinal);
            }
        }
        finally
        {
            if (Directory.Exists(toolPath))
            {
                Directory.Delete(toolPath, recursive: true);
            }
        }
    }

    private static async Task<(int Exit, string Output)> Run(string file, string[] arguments)
    {
        var start = new ProcessStartInfo(file)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = SiloBuild.RepositoryRoot,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(5));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await output + await error);
    }
}
