using IndustryBrain.Contracts;

namespace IndustryBrain.Silo.Grains;

/// <summary>The recent rejected messages, newest first, and how many of each reason since the silo started.</summary>
[KeepAlive]
public sealed class RejectLogGrain : Grain, IRejectLogGrain
{
    public const int Capacity = 2_000;
    private readonly LinkedList<Rejection> _recent = new();
    private readonly Dictionary<string, long> _counts = new(StringComparer.Ordinal);

    public Task Add(Rejection[] rejections)
    {
        foreach (var rejection in rejections)
        {
            _recent.AddFirst(rejection);
            if (_recent.Count > Capacity)
            {
                _recent.RemoveLast();
            }

            _counts[rejection.Reason] = _counts.GetValueOrDefault(rejection.Reason) + 1;
        }

        return Task.CompletedTask;
    }

    public Task<Rejection[]> Recent(string? enterprise, int limit) => Task.FromResult(_recent
        .Where(r => enterprise is null || r.Enterprise == enterprise)
        .Take(Math.Clamp(limit, 1, Capacity))
        .ToArray());

    public Task<IReadOnlyDictionary<string, long>> Counts() =>
        Task.FromResult<IReadOnlyDictionary<string, long>>(new Dictionary<string, long>(_counts));
}
