using System.Net;
using IndustryBrain.Tests.Infrastructure;

namespace IndustryBrain.Tests.FirstHour;

/// <summary>Ctrl-C on a silo with work in hand: no error lines, and every figure reaches the enterprise and the district.</summary>
public sealed class CleanStopTests
{
    private const string Key = "clean-stop-admin-key-0123456789";

    [Fact]
    public async Task Ctrl_C_logs_no_failure_and_the_last_figures_reach_the_enterprises_and_the_district()
    {
        await using var silo = await Brain.Start(NewcomerBrain.Options(Key));
        using (var http = silo.Http(Key))
        {
            var due = DateTimeOffset.UtcNow.AddDays(30).ToString("O");
            string[] firms = ["stop-a", "stop-b", "stop-c", "stop-d"];
            var terminals = new List<MqttTerminal>();
            try
            {
                foreach (var firm in firms)
                {
                    await http.Send(HttpMethod.Put, $"api/enterprises/{firm}",
                        """{"name":"巧锋刀具","uscc":"91500111MA5U3Q7X1D","chainNode":"knives"}""");
                    var terminal = await MqttTerminal.Connect(silo.MqttPort, firm, "T1");
                    terminals.Add(terminal);
                    for (var o = 1; o <= 3; o++)
                    {
                        await http.Send(HttpMethod.Put, $"api/enterprises/{firm}/orders/O{o}",
                            $$"""{"product":"knife","quantity":100,"unitPrice":2,"due":"{{due}}","routing":[{"step":"blank"},{"step":"pack"}]}""");
                        await terminal.Count($$"""{"order":"O{{o}}","step":"pack","seq":1,"good":5}""");
                    }
                }

                // The last readings, then Ctrl-C at once: they are applied, and handed on, during the stop.
                foreach (var terminal in terminals)
                {
                    for (var o = 1; o <= 3; o++)
                    {
                        await terminal.Count($$"""{"order":"O{{o}}","step":"pack","seq":2,"good":9}""");
                    }
                }
            }
            finally
            {
                foreach (var terminal in terminals)
                {
                    await terminal.DisposeAsync();
                }
            }
        }

        await silo.Interrupt();
        var output = silo.Log.Output;
        Assert.Contains("Application is shutting down", output, StringComparison.Ordinal);
        Assert.DoesNotContain(silo.Log.Lines, l => l.StartsWith("fail:", StringComparison.Ordinal) || l.StartsWith("crit:", StringComparison.Ordinal));
        Assert.DoesNotContain(silo.Log.Lines, l => l.TrimStart().StartsWith("at ", StringComparison.Ordinal));

        // What the enterprises and the district were told before the stop was saved with them.
        await silo.Restart();
        using var again = silo.Http(Key);
        var cockpit = await again.Send(HttpMethod.Get, "api/cockpit");
        Assert.Equal(12 * 9, cockpit!["outputToday"]!["units"]!.GetValue<long>());
        var orders = await again.Send(HttpMethod.Get, "api/enterprises/stop-c/orders");
        Assert.All(orders!.AsArray(), o => Assert.Equal(9, o!["completed"]!.GetValue<long>()));
        await again.Send(HttpMethod.Get, "health/ready", expect: HttpStatusCode.OK);
    }
}
