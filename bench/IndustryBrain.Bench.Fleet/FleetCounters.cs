using System.Diagnostics;

namespace IndustryBrain.Bench.Fleet;

/// <summary>One worker's running tallies, shared by its terminals.</summary>
public sealed class FleetCounters
{
    public int Connected;
    public long Connects;
    public long ConnectFailures;
    public long ConnectRefusals;
    public long Drops;
    public long ServerDisconnects;
    public long Publishes;
    public long Acks;
    public long Refused;
    public long Rejects;
    public long Resyncs;

    public LatencyHistogram Latency { get; } = new();
}

/// <summary>PUBACK latencies in logarithmic buckets (about 4% apart), from 10 µs to over a minute; lock-free.</summary>
public sealed class LatencyHistogram
{
    private const double Base = 1.04;
    private const double FirstMicros = 10;
    private long[] _buckets = new long[420];

    public void Record(TimeSpan elapsed)
    {
        var micros = elapsed.TotalMicroseconds;
        var bucket = micros <= FirstMicros ? 0 : Math.Min(_buckets.Length - 1, 1 + (int)(Math.Log(micros / FirstMicros) / Math.Log(Base)));
        Interlocked.Increment(ref _buckets[bucket]);
    }

    /// <summary>The counts so far, and a fresh start.</summary>
    public long[] Take() => Interlocked.Exchange(ref _buckets, new long[_buckets.Length]);

    /// <summary>The upper edge of a bucket, in milliseconds.</summary>
    public static double UpperMs(int bucket) => FirstMicros * Math.Pow(Base, bucket) / 1000;

    public static double Percentile(long[] buckets, double p)
    {
        var total = buckets.Sum();
        if (total == 0)
        {
            return double.NaN;
        }

        var rank = (long)Math.Ceiling(total * p);
        long seen = 0;
        for (var i = 0; i < buckets.Length; i++)
        {
            seen += buckets[i];
            if (seen >= rank)
            {
                return UpperMs(i);
            }
        }

        return UpperMs(buckets.Length - 1);
    }

    public static long[] Sum(IEnumerable<long[]> parts)
    {
        long[]? sum = null;
        foreach (var part in parts)
        {
            sum ??= new long[part.Length];
            for (var i = 0; i < part.Length; i++)
            {
                sum[i] += part[i];
            }
        }

        return sum ?? [];
    }
}

/// <summary>CPU time and resident memory of a process, from /proc.</summary>
public static class ProcessFigures
{
    public static TimeSpan Cpu(int pid)
    {
        using var process = Process.GetProcessById(pid);
        return process.TotalProcessorTime;
    }

    public static long RssBytes(int pid)
    {
        foreach (var line in File.ReadLines($"/proc/{pid}/status"))
        {
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
            {
                return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], System.Globalization.CultureInfo.InvariantCulture) * 1024;
            }
        }

        return 0;
    }
}
