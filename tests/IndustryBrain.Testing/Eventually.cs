using System.Diagnostics;

namespace IndustryBrain.Testing;

/// <summary>
/// Waits on a condition, never on a clock: polls until it holds, and fails after a generous deadline (machines
/// are shared) with a message saying what was awaited. Transient HTTP failures while a brain starts or
/// restarts count as "not yet".
/// </summary>
public static class Eventually
{
    /// <summary>How long to wait for a brain to reach an expected state.</summary>
    public static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);

    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(50);

    /// <summary>Waits until <paramref name="condition"/> holds; throws a <see cref="TimeoutException"/> naming <paramref name="what"/> otherwise.</summary>
    public static async Task True(Func<Task<bool>> condition, string what, TimeSpan? deadline = null)
    {
        if (!await Holds(condition, deadline ?? Deadline))
        {
            throw new TimeoutException($"not {what} within {(deadline ?? Deadline).TotalSeconds} s");
        }
    }

    /// <summary>Waits until <paramref name="condition"/> holds.</summary>
    public static Task True(Func<bool> condition, string what, TimeSpan? deadline = null) =>
        True(() => Task.FromResult(condition()), what, deadline);

    /// <summary>Reads a value until it satisfies <paramref name="done"/>, and answers it; the timeout's message shows the last value.</summary>
    public static async Task<T> Value<T>(Func<Task<T>> read, Func<T, bool> done, string what, TimeSpan? deadline = null)
    {
        var limit = deadline ?? Deadline;
        var clock = Stopwatch.StartNew();
        var last = "(nothing read)";
        while (true)
        {
            try
            {
                var value = await read();
                if (done(value))
                {
                    return value;
                }

                last = value?.ToString() ?? "null";
            }
            catch (Exception e) when (Transient(e))
            {
                last = e.Message;
            }

            if (clock.Elapsed > limit)
            {
                throw new TimeoutException($"not {what} within {limit.TotalSeconds} s; last: {last}");
            }

            await Task.Delay(Poll);
        }
    }

    /// <summary>Whether <paramref name="condition"/> comes to hold within <paramref name="limit"/> (the caller then asserts).</summary>
    public static async Task<bool> Holds(Func<Task<bool>> condition, TimeSpan limit)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                if (await condition())
                {
                    return true;
                }
            }
            catch (Exception e) when (Transient(e))
            {
            }

            if (clock.Elapsed > limit)
            {
                return false;
            }

            await Task.Delay(Poll);
        }
    }

    private static bool Transient(Exception e) => e is HttpRequestException or TaskCanceledException;
}
