namespace IndustryBrain.Silo.Grains;

/// <summary>
/// A grain's stored record, part of which the grain's domain objects hold while it is active: that part is
/// filled in from them for a save only and dropped again after it, so between saves there is one truth.
/// </summary>
public interface IHeldState
{
    /// <summary>Drops the part the domain objects hold (once they were restored from it, and after each save).</summary>
    void Release();
}

public static class HeldStateWrites
{
    /// <summary>
    /// Saves the state with <paramref name="snapshot"/> filling in what the grain's domain objects hold; it is released
    /// again after the write, whether or not the write succeeded.
    /// </summary>
    public static async Task WriteHeld<T>(this IPersistentState<T> state, Action<T> snapshot)
        where T : IHeldState
    {
        snapshot(state.State);
        try
        {
            await state.WriteStateAsync();
        }
        finally
        {
            state.State.Release();
        }
    }
}
