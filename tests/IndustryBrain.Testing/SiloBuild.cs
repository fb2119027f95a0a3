using System.Reflection;

namespace IndustryBrain.Testing;

/// <summary>Where this repository and its built silo are, seen from a test or benchmark assembly built in it.</summary>
public static class SiloBuild
{
    /// <summary>The folder holding IndustryBrain.sln above this assembly.</summary>
    public static string RepositoryRoot
    {
        get
        {
            for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
            {
                if (File.Exists(Path.Combine(folder.FullName, "IndustryBrain.sln")))
                {
                    return folder.FullName;
                }
            }

            throw new DirectoryNotFoundException($"No IndustryBrain.sln above {AppContext.BaseDirectory}");
        }
    }

    /// <summary>silo/bin/{this assembly's configuration}/net10.0/IndustryBrain.Silo.dll (a project reference builds it).</summary>
    public static string Assembly
    {
        get
        {
            var configuration = typeof(SiloBuild).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration ?? "Debug";
            var path = Path.Combine(RepositoryRoot, "silo", "bin", configuration, "net10.0", "IndustryBrain.Silo.dll");
            return File.Exists(path)
                ? path
                : throw new FileNotFoundException($"The silo is not built: {path}. Build the solution in {configuration} first.", path);
        }
    }
}
