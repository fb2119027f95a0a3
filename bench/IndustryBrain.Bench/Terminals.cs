namespace IndustryBrain.Bench;

/// <summary>
/// One terminal's share of the counters that one lane publishes: the terminal's step on some orders of
/// its enterprise, each with its cumulative good and scrap counts and its seq. Only one lane ever
/// touches a feed, so every counter's seq rises in the order its readings are sent.
/// </summary>
public sealed class Feed(Plant plant, int enterprise, int step, int terminal, int[] orders, long readings)
{
    public Plant Plant { get; } = plant;

    public int Enterprise { get; } = enterprise;

    public int Step { get; } = step;

    public string Topic { get; } = $"ib/{Plant.EnterpriseId(enterprise)}/{Plant.TerminalId(step, terminal)}/count";

    public int[] Orders { get; } = orders;

    public long[] Seq { get; } = new long[orders.Length];

    public long[] Good { get; } = new long[orders.Length];

    public long[] Scrap { get; } = new long[orders.Length];

    /// <summary>Readings still to send; reading k goes to order k mod <see cref="Orders"/>.Length.</summary>
    public long Remaining { get; set; } = readings;

    public long Sent { get; set; }

    /// <summary>Moves one counter on by a reading and answers the counter's index.</summary>
    public int Advance()
    {
        var i = (int)(Sent % Orders.Length);
        Sent++;
        Remaining--;
        var seq = ++Seq[i];
        Good[i] += 1 + ((seq * 7) + Orders[i]) % 5;
        if (seq % 17 == 0)
        {
            Scrap[i]++;
        }

        return i;
    }
}

/// <summary>One publishing loop on a connection: it sends its feeds' messages one after the other, awaiting each PUBACK.</summary>
public sealed class Lane(int connection, Feed[] feeds)
{
    public int Connection { get; } = connection;

    public Feed[] Feeds { get; } = feeds;
}

/// <summary>How terminals are spread over connections and lanes, and what the counts must be at the end.</summary>
public sealed class Terminals
{
    private Terminals(Plant plant, Lane[] lanes, int connections)
    {
        Plant = plant;
        Lanes = lanes;
        Connections = connections;
    }

    public Plant Plant { get; }

    public Lane[] Lanes { get; }

    public int Connections { get; }

    public long Readings => Lanes.Sum(l => l.Feeds.Sum(f => f.Remaining + f.Sent));

    /// <summary>
    /// Deals the plant's terminals to connections round-robin; a connection with fewer terminals than
    /// lanes splits each terminal's orders over several lanes. Every counter gets
    /// <paramref name="readingsPerCounter"/> readings.
    /// </summary>
    public static Terminals Deal(Plant plant, int connections, int lanesPerConnection, int readingsPerCounter)
    {
        var all = new List<(int Enterprise, int Step, int Terminal)>();
        for (var e = 0; e < plant.Enterprises; e++)
        {
            for (var s = 0; s < Plant.Steps; s++)
            {
                for (var t = 0; t < plant.TerminalsPerStep; t++)
                {
                    all.Add((e, s, t));
                }
            }
        }

        connections = Math.Min(connections, all.Count);
        var lanes = new List<Lane>();
        for (var c = 0; c < connections; c++)
        {
            var mine = all.Where((_, i) => i % connections == c).ToList();
            var split = Math.Max(1, lanesPerConnection / mine.Count);
            var feeds = new List<Feed>();
            foreach (var (e, s, t) in mine)
            {
                for (var part = 0; part < split; part++)
                {
                    var orders = Enumerable.Range(0, plant.OrdersPerEnterprise).Where(o => o % split == part).ToArray();
                    if (orders.Length > 0)
                    {
                        feeds.Add(new Feed(plant, e, s, t, orders, (long)orders.Length * readingsPerCounter));
                    }
                }
            }

            var laneCount = Math.Min(lanesPerConnection, feeds.Count);
            for (var l = 0; l < laneCount; l++)
            {
                lanes.Add(new Lane(c, [.. feeds.Where((_, i) => i % laneCount == l)]));
            }
        }

        return new Terminals(plant, [.. lanes], connections);
    }

    /// <summary>The counts every order's steps must show: per step, the sum over its terminals of the last reading sent.</summary>
    public (long[] Good, long[] Scrap) Expected()
    {
        var good = new long[Plant.Orders * Plant.Steps];
        var scrap = new long[good.Length];
        foreach (var feed in Lanes.SelectMany(l => l.Feeds))
        {
            for (var i = 0; i < feed.Orders.Length; i++)
            {
                var at = Index(feed.Enterprise, feed.Orders[i], feed.Step);
                good[at] += feed.Good[i];
                scrap[at] += feed.Scrap[i];
            }
        }

        return (good, scrap);
    }

    public long Index(int enterprise, int order, int step) =>
        (((long)enterprise * Plant.OrdersPerEnterprise) + order) * Plant.Steps + step;
}
