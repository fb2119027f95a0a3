namespace IndustryBrain.Silo.Ingest;

/// <summary>
/// What the ingest made of one MQTT message: not its own (another topic), taken (queued for the grains), or
/// refused with a reason.
/// </summary>
public readonly record struct Admission(bool Ours, Refusal? Refusal)
{
    public static readonly Admission NotOurs = new(false, null);
    public static readonly Admission Taken = new(true, null);

    public bool IsTaken => Ours && Refusal is null;

    public static Admission Refused(Refusal refusal) => new(true, refusal);
}
