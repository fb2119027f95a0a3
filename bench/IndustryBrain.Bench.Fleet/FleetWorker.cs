using System.Diagnostics;
using System.Text.Json;

namespace IndustryBrain.Bench.Fleet;

/// <summary>What a worker process is given: its terminals and how they count.</summary>
public sealed record WorkerSpec(TerminalSpec[] Terminals, double Rate, int Window, int ConnectsPerSecond);

/// <summary>
/// A worker process of the fleet: holds its terminals' connections (at most about 10,000: a process may open
/// 20,000 files here) and takes commands on standard input: go (start counting), flat (count flat out), mark
/// (start a measurement), stats, stop (stop counting and wait until every terminal's latest reading is
/// acknowledged), quit. It prints a status line every second and answers each command on standard output.
/// </summary>
public static class FleetWorker
{
    private const int TickMs = 20;

    public static async Task<int> Run(string specPath)
    {
        var spec = JsonSerializer.Deserialize<WorkerSpec>(await File.ReadAllTextAsync(specPath))!;
        var counters = new FleetCounters();
        var terminals = spec.Terminals.Select(t => new FleetTerminal(t, counters, spec.Window)).ToArray();
        using var quit = new CancellationTokenSource();
        var counting = false;
        var random = new Random(spec.Terminals.Length);
        var self = Process.GetCurrentProcess();

        // Connect at a steady pace, then keep each terminal connected: a dropped one reconnects within a second.
        var connections = new List<Task>(terminals.Length);
        var pace = Stopwatch.StartNew();
        for (var i = 0; i < terminals.Length; i++)
        {
            var terminal = terminals[i];
            connections.Add(Task.Run(() => Keep(terminal, random.Next(1_000), quit.Token)));
            var due = TimeSpan.FromSeconds((i + 1) / (double)spec.ConnectsPerSecond);
            if (due > pace.Elapsed)
            {
                await Task.Delay(due - pace.Elapsed);
            }
        }

        // The counting wheel: a terminal counts one piece every 1/rate seconds, spread evenly over the period.
        var slots = spec.Rate > 0 ? Math.Max(1, (int)Math.Round(1000 / spec.Rate / TickMs)) : 1;
        _ = Task.Run(async () =>
        {
            using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(TickMs));
            long tick = 0;
            while (await timer.WaitForNextTickAsync(quit.Token))
            {
                if (counting && spec.Rate > 0)
                {
                    var slot = (int)(tick % slots);
                    for (var i = slot; i < terminals.Length; i += slots)
                    {
                        terminals[i].Count(1);
                    }
                }

                tick++;
                if (tick % 250 == 0)
                {
                    foreach (var terminal in terminals)
                    {
                        terminal.KeepAlive();
                    }
                }

                if (tick % 50 == 0)
                {
                    Print("status", Status(counters, terminals, self));
                }
            }
        });

        string? line;
        while ((line = await Console.In.ReadLineAsync()) is not null)
        {
            switch (line.Trim())
            {
                case "go":
                    counting = true;
                    Print("ok", new { command = "go" });
                    break;
                case "flat":
                    foreach (var terminal in terminals)
                    {
                        terminal.FlatOut = true;
                        terminal.Kick();
                    }

                    Print("ok", new { command = "flat" });
                    break;
                case "mark":
                    counters.Latency.Take();
                    foreach (var terminal in terminals)
                    {
                        terminal.Marked = false;
                    }

                    Print("ok", new { command = "mark" });
                    break;
                case "stats":
                    Print("stats", new { latency = counters.Latency.Take(), status = Status(counters, terminals, self) });
                    break;
                case "stop":
                    counting = false;
                    foreach (var terminal in terminals)
                    {
                        terminal.FlatOut = false;
                    }

                    // Every terminal's latest reading acknowledged (a terminal away reconnects and sends it).
                    var waited = Stopwatch.StartNew();
                    while (terminals.Any(t => t.Acked != t.Good) && waited.Elapsed < TimeSpan.FromMinutes(3))
                    {
                        await Task.Delay(100);
                    }

                    Print("final", new
                    {
                        good = terminals.Select(t => t.Good).ToArray(),
                        unacknowledged = terminals.Count(t => t.Acked != t.Good),
                        status = Status(counters, terminals, self),
                    });
                    break;
                case "quit":
                    await quit.CancelAsync();
                    await Task.WhenAll(connections).WaitAsync(TimeSpan.FromSeconds(30)).ContinueWith(_ => { });
                    return 0;
            }
        }

        await quit.CancelAsync();
        return 0;
    }

    private static async Task Keep(FleetTerminal terminal, int jitterMs, CancellationToken quit)
    {
        while (!quit.IsCancellationRequested)
        {
            var connected = await terminal.Run(quit);
            if (quit.IsCancellationRequested)
            {
                return;
            }

            try
            {
                await Task.Delay(connected ? jitterMs : 1_000 + jitterMs, quit);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private static object Status(FleetCounters c, FleetTerminal[] terminals, Process self)
    {
        self.Refresh();
        return new
        {
            connected = Volatile.Read(ref c.Connected),
            marked = terminals.Count(t => t.Marked),
            connects = Interlocked.Read(ref c.Connects),
            connectFailures = Interlocked.Read(ref c.ConnectFailures),
            connectRefusals = Interlocked.Read(ref c.ConnectRefusals),
            drops = Interlocked.Read(ref c.Drops),
            serverDisconnects = Interlocked.Read(ref c.ServerDisconnects),
            publishes = Interlocked.Read(ref c.Publishes),
            acks = Interlocked.Read(ref c.Acks),
            refused = Interlocked.Read(ref c.Refused),
            rejects = Interlocked.Read(ref c.Rejects),
            resyncs = Interlocked.Read(ref c.Resyncs),
            cpuMs = (long)self.TotalProcessorTime.TotalMilliseconds,
        };
    }

    private static readonly Lock Output = new();

    private static void Print(string kind, object value)
    {
        var text = kind + " " + JsonSerializer.Serialize(value);
        lock (Output)
        {
            Console.Out.WriteLine(text);
            Console.Out.Flush();
        }
    }
}
