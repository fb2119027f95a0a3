using System.CommandLine;

namespace IndustryBrain.Client.Commands;

/// <summary>The `brain` command line: the root command with every subcommand and the global options.</summary>
public static class BrainCommand
{
    public static RootCommand Build() => new("brain: the IndustryBrain command line (HTTP API and terminal simulator)")
    {
        Cli.Api, Cli.Key, Cli.Mqtt, Cli.Username, Cli.Password, Cli.Json,
        EnterpriseCommands.Build(),
        OrderCommands.Build(),
        OrderCommands.Rejects(),
        BundleCommands.Build(),
        SimulateCommand.Build(),
        KeyCommands.Build(),
        TerminalCommands.Build(),
        TerminalCommands.Broker(),
        HistoryCommands.Build(),
        ErpCommands.Build(),
        CodeCommands.Build(),
    };

    /// <summary>Runs the command line with the given writers (the console's when null); answers the exit code.</summary>
    public static Task<int> Run(string[] args, TextWriter? output = null, TextWriter? error = null, CancellationToken cancellationToken = default)
    {
        var configuration = new InvocationConfiguration();
        if (output is not null)
        {
            configuration.Output = output;
        }

        if (error is not null)
        {
            configuration.Error = error;
        }

        return Build().Parse(args).InvokeAsync(configuration, cancellationToken);
    }
}
