using IndustryBrain.Contracts;
using IndustryBrain.Domain;
using Microsoft.Extensions.Options;

namespace IndustryBrain.Silo.Grains;

/// <summary>
/// The recent rejected messages, newest first, kept per enterprise (<see cref="RejectShelves"/>), and how many
/// of each reason since the silo started.
/// </summary>
[KeepAlive]
public sealed class RejectLogGrain(IOptions<RejectLogOptions> options) : Grain, IRejectLogGrain
{
    private readonly RejectShelves _shelves = new(options.Value.PerEnterprise, options.Value.MaxEnterprises);
    private readonly Dictionary<string, long> _counts = new(StringComparer.Ordinal);

    public Task Add(Rejection[] rejections)
    {
        foreach (var rejection in rejections)
        {
            _shelves.Add(rejection);
            _counts[rejection.Reason] = _counts.GetValueOrDefault(rejection.Reason) + 1;
        }

        return Task.CompletedTask;
    }

    public Task<Rejection[]> Recent(string? enterprise, int limit) =>
        Task.FromResult(_shelves.Recent(enterprise, Math.Clamp(limit, 1, RejectLogOptions.MaxLimit)));

    public Task<IReadOnlyDictionary<string, long>> Counts() =>
        Task.FromResult<IReadOnlyDictionary<string, long>>(new Dictionary<string, long>(_counts));
}
