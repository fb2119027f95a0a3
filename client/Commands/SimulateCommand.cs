using System.CommandLine;
using System.Text.Json;
using IndustryBrain.Client.Api;
using IndustryBrain.Client.Simulator;

namespace IndustryBrain.Client.Commands;

/// <summary>brain simulate: terminals publishing counts, then a check that the brain counted exactly what they sent.</summary>
public static class SimulateCommand
{
    public static Command Build()
    {
        var enterprises = new Option<int>("--enterprises") { Description = "Simulated enterprises", DefaultValueFactory = _ => 5 };
        var terminals = new Option<int>("--terminals") { Description = "Terminals per enterprise, each counting one step of one order", DefaultValueFactory = _ => 10 };
        var orders = new Option<int>("--orders") { Description = "Orders per enterprise", DefaultValueFactory = _ => 3 };
        var rate = new Option<double>("--rate") { Description = "Readings per second over all terminals; 0 for flat out", DefaultValueFactory = _ => 1000 };
        var duration = new Option<string?>("--duration") { Description = "How long to publish, e.g. 30s or 2m (default 30s unless --readings is given)" };
        var readings = new Option<long?>("--readings") { Description = "Stop after this many readings" };
        var batch = new Option<int>("--batch") { Description = "Readings per message (a JSON array above 1)", DefaultValueFactory = _ => 1 };
        var duplicates = new Option<double>("--duplicates") { Description = "Fraction of messages followed by a resend of an older one", DefaultValueFactory = _ => 0 };
        var reorder = new Option<bool>("--reorder") { Description = "Shuffle each connection's messages within a window of 16" };
        var resets = new Option<double>("--resets") { Description = "Chance per reading that a terminal's counter resets (a new run)", DefaultValueFactory = _ => 0 };
        var connections = new Option<int>("--connections") { Description = "At most this many MQTT connections; terminals share them beyond", DefaultValueFactory = _ => 200 };
        var inFlight = new Option<int>("--in-flight") { Description = "Unacknowledged publishes per connection", DefaultValueFactory = _ => 32 };
        var verifyTimeout = new Option<string>("--verify-timeout") { Description = "How long to wait for the brain's counts to match", DefaultValueFactory = _ => "60s" };
        var noVerify = new Option<bool>("--no-verify") { Description = "Do not check the counts at the end" };
        var prefix = new Option<string?>("--prefix") { Description = "Enterprise ids begin with this (default: sim and the time, fresh each run)" };
        var terminalCredentials = new Option<bool>("--terminal-credentials") { Description = "Ask the brain for each terminal's own MQTT credential; one connection per terminal" };
        var seed = new Option<int>("--seed") { Description = "Seed of the simulation's randomness", DefaultValueFactory = _ => 2611 };

        var simulate = new Command("simulate", "Simulate terminals: register enterprises, plan orders, publish counts over MQTT, verify over HTTP")
        {
            enterprises, terminals, orders, rate, duration, readings, batch, duplicates, reorder, resets, connections, inFlight,
            verifyTimeout, noVerify, prefix, terminalCredentials, seed,
        };
        Cli.Action(simulate, async (result, output, ct) =>
        {
            var json = result.GetValue(Cli.Json);
            var limit = result.GetValue(readings);
            var options = new SimulationOptions
            {
                Api = Cli.ApiAddress(result),
                Key = Cli.KeyOf(result),
                Mqtt = Cli.MqttAddress(result),
                Username = result.GetValue(Cli.Username),
                Password = result.GetValue(Cli.Password),
                Enterprises = result.GetValue(enterprises),
                Terminals = result.GetValue(terminals),
                Orders = result.GetValue(orders),
                Rate = result.GetValue(rate),
                Duration = result.GetValue(duration) is { } d ? Cli.Duration(d, "--duration") : limit is null ? TimeSpan.FromSeconds(30) : null,
                Readings = limit,
                Batch = result.GetValue(batch),
                Duplicates = result.GetValue(duplicates),
                Reorder = result.GetValue(reorder),
                Resets = result.GetValue(resets),
                MaxConnections = result.GetValue(connections),
                InFlight = result.GetValue(inFlight),
                VerifyTimeout = Cli.Duration(result.GetValue(verifyTimeout)!, "--verify-timeout"),
                Prefix = result.GetValue(prefix) ?? SimulationOptions.DefaultPrefix(),
                TerminalCredentials = result.GetValue(terminalCredentials),
                Seed = result.GetValue(seed),
                Log = json ? null : output,
            };
            if (options.Problem() is { } problem)
            {
                throw new UsageException(problem);
            }

            await using var simulation = new Simulation(options);
            var (report, verification) = await simulation.Run(!result.GetValue(noVerify), ct);
            if (json)
            {
                output.WriteLine(JsonSerializer.Serialize(new { report, verification }, BrainApi.Json));
            }
            else
            {
                Print(output, report, verification);
            }

            return verification is { IsExact: false } ? 1 : 0;
        });
        return simulate;
    }

    private static void Print(TextWriter output, SimulationReport r, Verification? verification)
    {
        output.WriteLine($"sent: {r.Enterprises} enterprises, {r.Orders} orders, {r.Terminals} terminals on {r.Connections} connections");
        output.WriteLine($"  {r.Messages:N0} messages, {r.Readings:N0} readings in {r.Elapsed.TotalSeconds:0.0} s: {r.ReadingsPerSecond:N0} readings/s, {r.MessagesPerSecond:N0} messages/s");
        output.WriteLine($"  duplicates {r.DuplicateMessages:N0} messages ({r.DuplicateReadings:N0} readings), counter resets {r.Resets:N0}, " +
            $"resyncs {r.Resyncs} ({r.ResentReadings:N0} readings), retries {r.Retries:N0}, refused {r.Refused:N0}, rejects heard {r.Rejects:N0}");
        if (verification is null)
        {
            return;
        }

        if (verification.IsExact)
        {
            output.WriteLine($"verified: {verification.Exact} orders exact ({verification.Took.TotalSeconds:0.0} s)");
            return;
        }

        output.WriteLine($"MISMATCH: {verification.Orders - verification.Exact} of {verification.Orders} orders differ after {verification.Took.TotalSeconds:0.0} s");
        foreach (var mismatch in verification.Mismatches.Take(20))
        {
            output.WriteLine($"  {mismatch}");
        }

        if (verification.Mismatches.Count > 20)
        {
            output.WriteLine($"  ... and {verification.Mismatches.Count - 20} more");
        }
    }
}
