using System.Collections.Concurrent;
using IndustryBrain.Contracts;

namespace IndustryBrain.Silo.Codes;

/// <summary>
/// Issued prefixes (approved or suspended) as this silo's resolutions last read them, kept for <see cref="KeepFor"/>:
/// a resolution is a hot path and a prefix's state rarely changes. Its grain forgets it here on every change, so this
/// silo answers the new state at once; another silo of a cluster may answer the old one for up to <see cref="KeepFor"/>.
/// Prefixes not issued (unknown, applied, refused) are not kept: a newly approved prefix resolves at once everywhere.
/// </summary>
public sealed class PrefixViews(TimeProvider time)
{
    public static readonly TimeSpan KeepFor = TimeSpan.FromSeconds(2);
    private const int MaxKept = 100_000;
    private readonly ConcurrentDictionary<string, (PrefixView View, DateTimeOffset Until)> _kept = new(StringComparer.Ordinal);

    public PrefixView? Kept(string prefix) =>
        _kept.TryGetValue(prefix, out var kept) && kept.Until > time.GetUtcNow() ? kept.View : null;

    public void Keep(string prefix, PrefixView? view)
    {
        if (view?.State is not (PrefixStates.Approved or PrefixStates.Suspended))
        {
            _kept.TryRemove(prefix, out _);
            return;
        }

        if (_kept.Count >= MaxKept)
        {
            _kept.Clear();
        }

        _kept[prefix] = (view, time.GetUtcNow() + KeepFor);
    }

    public void Forget(string prefix) => _kept.TryRemove(prefix, out _);
}
