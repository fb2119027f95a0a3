using System.Collections.Concurrent;
using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;

namespace IndustryBrain.Bench.Fleet;

/// <summary>
/// The district the fleet counts for: a knife maker per 20 terminals, each with one order a run of the bench,
/// ten routing steps and two terminals on each step; every terminal has its own credential, issued in bulk.
/// Terminals are spread over loopback source addresses (1,500 each, under the brain's per-address cap of 2,000)
/// and, with several silos, over the silos' brokers in turn, as a TCP load balancer would.
/// </summary>
public sealed class FleetPlan
{
    public const int TerminalsPerFirm = 20;
    public const int Steps = 10;
    public const int PerAddress = 1_500;

    private readonly Dictionary<int, string> _passwords = [];

    public FleetPlan(int terminals) => Terminals = terminals;

    public int Terminals { get; }

    public int Firms => (Terminals + TerminalsPerFirm - 1) / TerminalsPerFirm;

    public static string Firm(int f) => $"fleet-{f + 1:0000}";

    public static string TerminalId(int j) => $"T{j + 1:00}";

    public static string Step(int j) => $"s{(j / 2) + 1:00}";

    public static string Source(int i) => $"127.0.{1 + (i / PerAddress / 250)}.{1 + (i / PerAddress % 250)}";

    /// <summary>Registers the firms and issues every terminal's credential (bulk, one request a firm).</summary>
    public async Task Provision(HttpClient http)
    {
        var passwords = new ConcurrentDictionary<int, string>();
        await Parallel.ForEachAsync(Enumerable.Range(0, Firms), new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (f, ct) =>
        {
            using (var registered = await http.PutAsJsonAsync($"/api/enterprises/{Firm(f)}", new
            {
                name = $"Fleet Knives {f + 1:0000}",
                uscc = Plant.UsccOf(f),
                chainNode = "knives",
                park = "Longshui Lake",
            }, ct))
            {
                await Expect(registered, "registering " + Firm(f));
            }

            using var issued = await http.PostAsJsonAsync($"/api/enterprises/{Firm(f)}/terminals/credentials",
                new { prefix = "T", count = TerminalsPerFirm }, ct);
            await Expect(issued, "issuing the credentials of " + Firm(f));
            using var body = JsonDocument.Parse(await issued.Content.ReadAsStringAsync(ct));
            foreach (var terminal in body.RootElement.GetProperty("terminals").EnumerateArray())
            {
                var j = int.Parse(terminal.GetProperty("terminal").GetString()![1..], CultureInfo.InvariantCulture) - 1;
                passwords[(f * TerminalsPerFirm) + j] = terminal.GetProperty("password").GetString()!;
            }
        });
        foreach (var (i, password) in passwords)
        {
            _passwords[i] = password;
        }
    }

    /// <summary>Plans each firm's order for one run of the bench.</summary>
    public async Task PlanOrders(HttpClient http, string order)
    {
        var routing = Enumerable.Range(0, Steps).Select(s => new { step = $"s{s + 1:00}", name = $"工序{s + 1}" }).ToArray();
        await Parallel.ForEachAsync(Enumerable.Range(0, Firms), new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (f, ct) =>
        {
            using var planned = await http.PutAsJsonAsync($"/api/enterprises/{Firm(f)}/orders/{order}", new
            {
                product = "slaughter knife 8in",
                quantity = 1_000_000_000,
                unitPrice = 38.5m,
                due = DateTimeOffset.UtcNow.AddDays(30).ToOffset(TimeSpan.FromHours(8)),
                routing,
            }, ct);
            await Expect(planned, $"planning {Firm(f)}/{order}");
        });
    }

    /// <summary>The first <paramref name="count"/> terminals, counting for <paramref name="order"/>, spread over <paramref name="ports"/>.</summary>
    public TerminalSpec[] Specs(int count, string order, IReadOnlyList<int> ports) =>
        [.. Enumerable.Range(0, count).Select(i => new TerminalSpec(
            $"{Firm(i / TerminalsPerFirm)}/{TerminalId(i % TerminalsPerFirm)}", _passwords[i], order, Step(i % TerminalsPerFirm),
            ports[i % ports.Count], Source(i)))];

    /// <summary>
    /// Compares each order's step counts with what its terminals counted (the sum over the step's terminals of
    /// their latest good); answers the counters that differ.
    /// </summary>
    public static async Task<List<string>> Verify(HttpClient http, string order, long[] good)
    {
        var wrong = new ConcurrentBag<string>();
        var firms = (good.Length + TerminalsPerFirm - 1) / TerminalsPerFirm;
        await Parallel.ForEachAsync(Enumerable.Range(0, firms), new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (f, ct) =>
        {
            var expected = new long[Steps];
            for (var j = 0; j < TerminalsPerFirm && (f * TerminalsPerFirm) + j < good.Length; j++)
            {
                expected[j / 2] += good[(f * TerminalsPerFirm) + j];
            }

            using var answer = await http.GetAsync($"/api/enterprises/{Firm(f)}/orders/{order}", ct);
            await Expect(answer, $"reading {Firm(f)}/{order}");
            using var body = JsonDocument.Parse(await answer.Content.ReadAsStringAsync(ct));
            foreach (var step in body.RootElement.GetProperty("steps").EnumerateArray())
            {
                var s = int.Parse(step.GetProperty("step").GetString()![1..], CultureInfo.InvariantCulture) - 1;
                var counted = step.GetProperty("good").GetInt64();
                if (counted != expected[s])
                {
                    wrong.Add($"{Firm(f)}/{order}/{step.GetProperty("step").GetString()}: brain {counted}, terminals {expected[s]}");
                }
            }
        });
        return [.. wrong];
    }

    private static async Task Expect(HttpResponseMessage response, string what)
    {
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"{what}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        }
    }
}
