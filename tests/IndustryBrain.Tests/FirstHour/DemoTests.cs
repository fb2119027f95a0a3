using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using IndustryBrain.Tests.Infrastructure;

namespace IndustryBrain.Tests.FirstHour;

/// <summary>scripts/demo.sh, as the README runs it: when the district is loaded it prints the cockpit's address and the key that opens it, and a demo firm's board with its key.</summary>
public sealed partial class DemoTests
{
    [GeneratedRegex(@"\x1b\[[0-9;]*m")]
    private static partial Regex Colour();

    [GeneratedRegex(@"The cockpit: (?<url>http://\S+/)\s+key: (?<key>\S+)")]
    private static partial Regex Ready();

    [GeneratedRegex(@"dispatch board: (?<url>http://\S+/board/(?<firm>\S+))\s+key: (?<key>\S+)")]
    private static partial Regex Board();

    [Fact]
    public async Task The_demo_prints_the_cockpit_address_and_its_key_when_ready_and_the_key_opens_the_cockpit()
    {
        int port = FreePort.Next(), mqttPort = FreePort.Next();
        var start = new ProcessStartInfo("bash")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = SiloBuild.RepositoryRoot,
        };
        foreach (var argument in new[] { "scripts/demo.sh", "--port", port.ToString(CultureInfo.InvariantCulture),
            "--mqtt-port", mqttPort.ToString(CultureInfo.InvariantCulture), "--no-simulate", "--no-build" })
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment.Remove("IB_KEY");
        var lines = new List<string>();
        var ready = new TaskCompletionSource<Match>(TaskCreationOptions.RunContinuationsAsynchronously);
        var boardShown = new TaskCompletionSource<Match>(TaskCreationOptions.RunContinuationsAsynchronously);
        using var demo = new Process { StartInfo = start };
        void Keep(string? line)
        {
            if (line is null)
            {
                return;
            }

            line = Colour().Replace(line, "");
            lock (lines)
            {
                lines.Add(line);
            }

            if (Ready().Match(line) is { Success: true } match)
            {
                ready.TrySetResult(match);
            }

            if (Board().Match(line) is { Success: true } board)
            {
                boardShown.TrySetResult(board);
            }
        }

        demo.OutputDataReceived += (_, e) => Keep(e.Data);
        demo.ErrorDataReceived += (_, e) => Keep(e.Data);
        demo.Exited += (_, _) => ready.TrySetException(new InvalidOperationException("the demo stopped before it was ready"));
        demo.EnableRaisingEvents = true;
        demo.Start();
        demo.BeginOutputReadLine();
        demo.BeginErrorReadLine();
        try
        {
            Match shown;
            try
            {
                shown = await ready.Task.WaitAsync(TimeSpan.FromMinutes(8));
            }
            catch (Exception e) when (e is TimeoutException or InvalidOperationException)
            {
                lock (lines)
                {
                    throw new InvalidOperationException($"{e.Message}:\n{string.Join('\n', lines)}", e);
                }
            }

            Assert.Equal($"http://127.0.0.1:{port}/", shown.Groups["url"].Value);
            var key = shown.Groups["key"].Value;
            Assert.Equal("demo-admin-key", key);
            // Printed two lines after the ready line, which may be read first.
            await Eventually.True(() =>
            {
                lock (lines)
                {
                    return lines.Any(l => l.Contains($"export IB_KEY={key}", StringComparison.Ordinal));
                }
            }, "the demo prints the export line for curl and brain", TimeSpan.FromSeconds(30));

            using var http = new HttpClient { BaseAddress = new Uri(shown.Groups["url"].Value) };
            using (var refused = await http.GetAsync("api/cockpit"))
            {
                Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
            }

            http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
            var view = JsonNode.Parse(await http.GetStringAsync("api/cockpit"))!;
            Assert.Equal(51, (int)view["enterprises"]!);
            Assert.Equal(3, (int)view["procurement"]!["openBundles"]! + (int)view["procurement"]!["closedBundles"]!);

            // A demo firm's dispatch board, opened with the firm's own key (not the administrator's), with its ERP sales.
            var board = await boardShown.Task.WaitAsync(TimeSpan.FromSeconds(30));
            Assert.Equal($"http://127.0.0.1:{port}/board/qiaofeng", board.Groups["url"].Value);
            Assert.NotEqual(key, board.Groups["key"].Value);
            using var firm = new HttpClient { BaseAddress = new Uri(shown.Groups["url"].Value) };
            firm.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", board.Groups["key"].Value);
            var firmBoard = JsonNode.Parse(await firm.GetStringAsync("api/enterprises/qiaofeng/board"))!;
            Assert.True((int)firmBoard["activeOrders"]! > 0);
            Assert.Equal(3, (int)firmBoard["sales"]!["salesOrders"]!);
            Assert.Equal(HttpStatusCode.Forbidden, (await firm.GetAsync("api/enterprises/daowang/board")).StatusCode);
        }
        finally
        {
            // Ctrl-C: the demo stops the silo it started.
            if (!demo.HasExited)
            {
                using (var interrupt = Process.Start("kill", ["-INT", demo.Id.ToString(CultureInfo.InvariantCulture)]))
                {
                    await interrupt.WaitForExitAsync();
                }

                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
                try
                {
                    await demo.WaitForExitAsync(timeout.Token);
                }
                catch (OperationCanceledException)
                {
                    demo.Kill(entireProcessTree: true);
                }
            }
        }
    }
}
