using System.CommandLine;
using System.Globalization;
using IndustryBrain.Client.Api;

namespace IndustryBrain.Client.Commands;

/// <summary>The options every command takes, and how a command's work is run and its failures told.</summary>
public static class Cli
{
    public static readonly Option<string> Api = new("--api")
    {
        Description = "The brain's HTTP address",
        DefaultValueFactory = _ => "http://127.0.0.1:8080",
        Recursive = true,
    };

    /// <summary>
    /// The API key. No default value: help prints defaults, and a key is a secret. IB_KEY is read only when a
    /// command runs (<see cref="KeyOf"/>).
    /// </summary>
    public static readonly Option<string?> Key = new("--key")
    {
        Description = "API key sent as Authorization: Bearer (default: the IB_KEY environment variable; never printed)",
        Recursive = true,
    };

    public static readonly Option<string> Mqtt = new("--mqtt")
    {
        Description = "The broker terminals publish to",
        DefaultValueFactory = _ => "mqtt://127.0.0.1:1883",
        Recursive = true,
    };

    public static readonly Option<string?> Username = new("--username") { Description = "MQTT username", Recursive = true };

    public static readonly Option<string?> Password = new("--password") { Description = "MQTT password", Recursive = true };

    public static readonly Option<bool> Json = new("--json") { Description = "Print the raw JSON answer", Recursive = true };

    public static Uri ApiAddress(ParseResult result) => Address(result.GetValue(Api)!, "--api", "http");

    public static Uri MqttAddress(ParseResult result) => Address(result.GetValue(Mqtt)!, "--mqtt", "mqtt");

    public static BrainApi Connect(ParseResult result) => new(ApiAddress(result), KeyOf(result));

    /// <summary>The key of --key, or else of the IB_KEY environment variable, read now.</summary>
    public static string? KeyOf(ParseResult result) =>
        result.GetValue(Key) is { Length: > 0 } key ? key : Environment.GetEnvironmentVariable("IB_KEY") is { Length: > 0 } variable ? variable : null;

    private static Uri Address(string text, string option, string scheme) =>
        Uri.TryCreate(text.Contains("://", StringComparison.Ordinal) ? text : $"{scheme}://{text}", UriKind.Absolute, out var uri)
            ? uri
            : throw new UsageException($"{option} '{text}' is not an address such as {scheme}://127.0.0.1");

    /// <summary>
    /// Runs a command's work. A problem answer is printed as "reason: detail", an unreachable brain or a
    /// wrong argument as one sentence; each gives exit code 1.
    /// </summary>
    public static void Action(Command command, Func<ParseResult, TextWriter, CancellationToken, Task<int>> work) =>
        command.SetAction(async (result, cancellationToken) =>
        {
            var output = result.InvocationConfiguration.Output;
            var error = result.InvocationConfiguration.Error;
            try
            {
                return await work(result, output, cancellationToken);
            }
            catch (BrainProblem problem)
            {
                await error.WriteLineAsync($"{problem.Reason}: {problem.Detail}");
            }
            catch (UsageException usage)
            {
                await error.WriteLineAsync(usage.Message);
            }
            catch (Simulator.BrokerRefusal refusal)
            {
                await error.WriteLineAsync(refusal.Message);
            }
            catch (HttpRequestException e)
            {
                await error.WriteLineAsync($"unreachable: {e.Message} ({result.GetValue(Api)})");
            }
            catch (IOException e)
            {
                await error.WriteLineAsync($"file: {e.Message}");
            }
            catch (System.Text.Json.JsonException e)
            {
                await error.WriteLineAsync($"malformed-json: {e.Message}");
            }
            catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                await error.WriteLineAsync($"timeout: the brain did not answer in time ({result.GetValue(Api)})");
            }

            return 1;
        });

    /// <summary>"30s", "2m", "1h", "500ms", plain seconds, or a TimeSpan such as 00:01:30.</summary>
    public static TimeSpan Duration(string text, string option)
    {
        text = text.Trim();
        var (number, unit) = text.EndsWith("ms", StringComparison.OrdinalIgnoreCase) ? (text[..^2], 0.001)
            : text.EndsWith('s') ? (text[..^1], 1.0)
            : text.EndsWith('m') ? (text[..^1], 60.0)
            : text.EndsWith('h') ? (text[..^1], 3600.0)
            : (text, 1.0);
        if (double.TryParse(number, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && value > 0)
        {
            return TimeSpan.FromSeconds(value * unit);
        }

        return TimeSpan.TryParse(text, CultureInfo.InvariantCulture, out var span) && span > TimeSpan.Zero
            ? span
            : throw new UsageException($"{option} '{text}' is not a duration such as 30s, 2m or 500ms");
    }
}

/// <summary>A wrong argument, told to the user in one sentence.</summary>
public sealed class UsageException(string message) : Exception(message);
