namespace IndustryBrain.Silo.Grains;

/// <summary>
/// A grain's flush timer, armed when something changed and disarmed by the grain once a flush found nothing left
/// to do: the first flush after a quiet spell comes <c>firstAfter</c> after the change, but never sooner than
/// <c>every</c> after the last flush began; then one every <c>every</c>. On the grain's <see cref="TimeProvider"/>,
/// so grain tests on a fake clock advance it.
/// </summary>
public sealed class FlushTimer(IGrainBase grain, Func<Task> flush, TimeProvider time, TimeSpan every, TimeSpan firstAfter)
{
    private IGrainTimer? _timer;
    private DateTimeOffset _flushedAt = DateTimeOffset.MinValue;

    /// <summary>A flush that does its work this often at most, the first one coming soon after a quiet spell.</summary>
    public FlushTimer(IGrainBase grain, Func<Task> flush, TimeProvider time, TimeSpan every)
        : this(grain, flush, time, every, every)
    {
    }

    /// <summary>Arms the timer unless it is armed.</summary>
    public void Arm()
    {
        if (_timer is null)
        {
            var wait = _flushedAt == DateTimeOffset.MinValue ? firstAfter : _flushedAt + every - time.GetUtcNow();
            _timer = grain.RegisterGrainTimer(flush, new GrainTimerCreationOptions(wait > firstAfter ? wait : firstAfter, every));
        }
    }

    /// <summary>Notes that a flush begins now (whether the timer or the grain itself called it); answers the time.</summary>
    public DateTimeOffset Begin() => _flushedAt = time.GetUtcNow();

    /// <summary>Stops the timer: nothing is left to flush.</summary>
    public void Disarm()
    {
        _timer?.Dispose();
        _timer = null;
    }
}
