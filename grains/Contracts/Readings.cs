namespace IndustryBrain.Contracts;

/// <summary>One process-count reading of a terminal, as the contract defines it (order and enterprise are the grain's key).</summary>
[GenerateSerializer, Immutable, Alias("ib.Reading")]
public sealed record Reading(string Terminal, string Step, int Run, long Seq, long Good, long Scrap, DateTimeOffset Ts);

/// <summary>Why one reading of a batch was not applied.</summary>
[GenerateSerializer, Immutable, Alias("ib.Rejection")]
public sealed record Rejection(string Enterprise, string Terminal, string Reason, long? Seq, string Detail, DateTimeOffset At);

/// <summary>What a grain did with a batch of readings.</summary>
[GenerateSerializer, Immutable, Alias("ib.ApplyOutcome")]
public sealed record ApplyOutcome(int Applied, int Duplicates, Rejection[] Rejections)
{
    public static readonly ApplyOutcome Empty = new(0, 0, []);
}

/// <summary>A terminal's state message (retained; also its Last Will).</summary>
[GenerateSerializer, Immutable, Alias("ib.TerminalStatus")]
public sealed record TerminalStatus(string Terminal, string State, long? Seq, string? Fault, DateTimeOffset Ts);

public static class TerminalStates
{
    public const string Running = "running";
    public const string Idle = "idle";
    public const string Fault = "fault";
    public const string Offline = "offline";

    public static bool IsKnown(string state) => state is Running or Idle or Fault or Offline;
}

public static class RejectReasons
{
    public const string MalformedJson = "malformed-json";
    public const string InvalidField = "invalid-field";
    public const string InvalidId = "invalid-id";
    public const string TooLarge = "too-large";
    public const string CounterDecreased = "counter-decreased";
    public const string NotAuthorized = "not-authorized";

    /// <summary>The reading's (or status's) ts is outside the window the brain trusts a terminal's clock in.</summary>
    public const string TsOutOfRange = "ts-out-of-range";

    public static readonly string[] All = [MalformedJson, InvalidField, InvalidId, TooLarge, CounterDecreased, NotAuthorized, TsOutOfRange];
}
