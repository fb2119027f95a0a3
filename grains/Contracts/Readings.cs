namespace IndustryBrain.Contracts;

/// <summary>One process-count reading of a terminal, as the contract defines it (order and enterprise are the grain's key).</summary>
[GenerateSerializer, Immutable, Alias("ib.Reading")]
public sealed record Reading(string Terminal, string Step, int Run, long Seq, long Good, long Scrap, DateTimeOffset Ts);

/// <summary>Why one reading of a batch was not applied.</summary>
[GenerateSerializer, Immutable, Alias("ib.Rejection")]
public sealed record Rejection(string Enterprise, string Terminal, string Reason, long? Seq, string Detail, DateTimeOffset At);

/// <summary>
/// What a grain did with a batch of readings: <see cref="Rejections"/> are the readings it refused, and the
/// <c>unknown-step</c> warnings of readings it applied (the terminal is told either way).
/// </summary>
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

    /// <summary>
    /// A warning, not a refusal: a count for a step that is not on the planned order's routing. The count is
    /// kept (it weighs nothing until the routing has the step), and the terminal is told once per step.
    /// </summary>
    public const string UnknownStep = "unknown-step";

    public static readonly string[] All = [MalformedJson, InvalidField, InvalidId, TooLarge, CounterDecreased, NotAuthorized, TsOutOfRange, UnknownStep];
}
