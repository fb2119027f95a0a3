using System.Collections.Concurrent;

namespace IndustryBrain.Silo.Grains;

/// <summary>
/// <c>GetGrain&lt;T&gt;(key)</c> without its per-call price: Orleans resolves the interface's type (reading its
/// attributes and formatting its name) on every call, which the profile of a district's fleet showed as 3% of the
/// silo's CPU on the ingest's path alone. The interface and grain types are resolved once per interface here and a
/// reference is made straight from its id, exactly as <c>GetGrain</c> makes it after resolving.
/// </summary>
public static class GrainLookup
{
    private static readonly ConcurrentDictionary<Type, (GrainType Grain, GrainInterfaceType Interface)> Types = new();

    public static T Grain<T>(this IGrainFactory grains, string key) where T : IGrainWithStringKey
    {
        var (grain, face) = Types.GetOrAdd(typeof(T), static (_, factory) =>
        {
            var probe = (GrainReference)(object)factory.GetGrain<T>("type-probe");
            return (probe.GrainId.Type, probe.InterfaceType);
        }, grains);
        return (T)grains.GetGrain(GrainId.Create(grain, key), face);
    }
}
