namespace IndustryBrain.Client.Simulator;

/// <summary>What a simulation has sent and heard so far; many connections add to it at once.</summary>
public sealed class SimulationCounters
{
    private long _messages;
    private long _readings;
    private long _duplicateMessages;
    private long _duplicateReadings;
    private long _resets;
    private long _resyncs;
    private long _resentReadings;
    private long _refused;
    private long _rejects;
    private long _retries;

    /// <summary>Count messages sent, each with fresh readings.</summary>
    public long Messages => Interlocked.Read(ref _messages);

    /// <summary>Fresh readings sent (duplicates and resyncs not included).</summary>
    public long Readings => Interlocked.Read(ref _readings);

    public long DuplicateMessages => Interlocked.Read(ref _duplicateMessages);

    public long DuplicateReadings => Interlocked.Read(ref _duplicateReadings);

    /// <summary>Counter resets: new runs started.</summary>
    public long Resets => Interlocked.Read(ref _resets);

    /// <summary>New brain epochs seen, each answered by a resync.</summary>
    public long Resyncs => Interlocked.Read(ref _resyncs);

    public long ResentReadings => Interlocked.Read(ref _resentReadings);

    /// <summary>Publishes whose MQTT 5 PUBACK carried a failure reason code.</summary>
    public long Refused => Interlocked.Read(ref _refused);

    /// <summary>Messages heard on the terminals' reject topics.</summary>
    public long Rejects => Interlocked.Read(ref _rejects);

    /// <summary>Publishes tried again after a failure (a lost connection, a timeout).</summary>
    public long Retries => Interlocked.Read(ref _retries);

    internal void Sent(int readings)
    {
        Interlocked.Increment(ref _messages);
        Interlocked.Add(ref _readings, readings);
    }

    internal void Duplicated(int readings)
    {
        Interlocked.Increment(ref _duplicateMessages);
        Interlocked.Add(ref _duplicateReadings, readings);
    }

    internal void NewRuns(int runs) => Interlocked.Add(ref _resets, runs);

    internal void Resynced() => Interlocked.Increment(ref _resyncs);

    internal void Resent(int readings) => Interlocked.Add(ref _resentReadings, readings);

    internal long RefusedOne() => Interlocked.Increment(ref _refused);

    internal long Rejected() => Interlocked.Increment(ref _rejects);

    internal void Retried() => Interlocked.Increment(ref _retries);
}
