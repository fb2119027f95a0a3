using IndustryBrain.Contracts;

namespace IndustryBrain;

/// <summary>The district's recent rejected messages, kept for inspection (key <see cref="Keys.District"/>).</summary>
[Alias("ib.IRejectLogGrain")]
public interface IRejectLogGrain : IGrainWithStringKey
{
    [Alias("Add")]
    Task Add(Rejection[] rejections);

    [Alias("Recent")]
    Task<Rejection[]> Recent(string? enterprise, int limit);

    [Alias("Counts")]
    Task<IReadOnlyDictionary<string, long>> Counts();
}
