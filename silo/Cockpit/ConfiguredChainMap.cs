using IndustryBrain.Contracts;
using IndustryBrain.Domain;
using Microsoft.Extensions.Options;

namespace IndustryBrain.Silo.Cockpit;

/// <summary>
/// The chain map the district starts with: the file named by <c>District:ChainMap</c>, or the default
/// Dazu-like hardware chain shipped beside the silo. A map set through the API replaces it until removed.
/// </summary>
public sealed class ConfiguredChainMap
{
    public const string DefaultFile = "District/dazu-hardware-chain.json";

    public ConfiguredChainMap(IOptions<DistrictOptions> options)
    {
        Path = PathOf(options.Value);
        var (map, problem) = Load(Path);
        Map = map ?? throw new InvalidOperationException(problem);
    }

    public string Path { get; }

    public ChainMap Map { get; }

    public static string PathOf(DistrictOptions options) => string.IsNullOrWhiteSpace(options.ChainMap)
        ? System.IO.Path.Combine(AppContext.BaseDirectory, DefaultFile)
        : System.IO.Path.GetFullPath(options.ChainMap);

    public static (ChainMap? Map, string? Problem) Load(string path)
    {
        if (!File.Exists(path))
        {
            return (null, $"District:ChainMap: there is no file '{path}'");
        }

        var (map, problem) = ChainMaps.Parse(File.ReadAllText(path));
        return problem is null ? (map, null) : (null, $"District:ChainMap '{path}': {problem}");
    }
}

/// <summary>Refuses to start with a chain map file that is missing or not a usable map.</summary>
public sealed class DistrictOptionsValidation : IValidateOptions<DistrictOptions>
{
    public ValidateOptionsResult Validate(string? name, DistrictOptions options) =>
        ConfiguredChainMap.Load(ConfiguredChainMap.PathOf(options)).Problem is { } problem
            ? ValidateOptionsResult.Fail(problem)
            : ValidateOptionsResult.Success;
}
