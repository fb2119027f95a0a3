using System.CommandLine;
using System.Text;
using System.Text.Json.Nodes;
using IndustryBrain.Client.Api;

namespace IndustryBrain.Client.Commands;

/// <summary>
/// brain terminal fleet: credentials for many terminals of one enterprise at once (a prefix and a count, or the
/// terminal ids of a file), written to a file the firm loads onto its terminals. The passwords go into that file
/// only (created new, readable by its owner alone), never onto the screen.
/// </summary>
public static class FleetCommand
{
    /// <summary>Terminals per request: the brain takes up to 10,000; smaller requests keep each answer quick.</summary>
    public const int Chunk = 1_000;

    public static Command Build()
    {
        var enterprise = new Option<string>("--enterprise") { Description = "The enterprise whose terminals they are", Required = true };
        var count = new Option<int?>("--count") { Description = "How many terminals: {prefix}{number}, numbered from --start" };
        var prefix = new Option<string>("--prefix") { Description = "The terminal ids' prefix with --count", DefaultValueFactory = _ => "T" };
        var start = new Option<int>("--start") { Description = "The first number with --count", DefaultValueFactory = _ => 1 };
        var from = new Option<string?>("--from") { Description = "A file of terminal ids: one a line, or CSV whose first column is the id (a header 'terminal' is skipped)" };
        var output = new Option<string>("--out") { Description = "The file to write: CSV terminal,username,password (must not exist yet)", Required = true };
        var fleet = new Command("fleet", "Issue (or rotate) the MQTT credentials of many terminals at once, into a file the firm loads onto them")
        {
            enterprise, count, prefix, start, from, output,
        };
        Cli.Action(fleet, async (result, console, ct) =>
        {
            var terminals = Terminals(result.GetValue(from), result.GetValue(count), result.GetValue(prefix)!, result.GetValue(start));
            var target = Path.GetFullPath(result.GetValue(output)!);
            var firm = result.GetValue(enterprise)!;
            using var api = Cli.Connect(result);
            var path = BrainApi.Path("api", "enterprises", firm, "terminals", "credentials");

            // Created before the first request, owner-only: a file that cannot be written issues nothing.
            var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
            if (!OperatingSystem.IsWindows())
            {
                options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
            }

            FileStream file;
            try
            {
                file = new FileStream(target, options);
            }
            catch (IOException) when (File.Exists(target))
            {
                throw new UsageException($"{target} exists: credentials are written only to a new file");
            }

            int issued = 0, rotated = 0;
            await using (var writer = new StreamWriter(file, new UTF8Encoding(false)))
            {
                await writer.WriteLineAsync("terminal,username,password");
                foreach (var chunk in terminals.Chunk(Chunk))
                {
                    var json = await api.Send(HttpMethod.Post, path, new { terminals = chunk }, ct);
                    var answer = JsonNode.Parse(json)!;
                    foreach (var terminal in answer["terminals"]!.AsArray())
                    {
                        await writer.WriteLineAsync(
                            $"{terminal!["terminal"]!.GetValue<string>()},{terminal["username"]!.GetValue<string>()},{terminal["password"]!.GetValue<string>()}");
                    }

                    issued += answer["issued"]!.GetValue<int>();
                    rotated += answer["rotated"]!.GetValue<int>();
                }
            }

            console.WriteLine($"issued {issued} credentials of {firm} ({rotated} rotated: their old passwords no longer work) into {target}");
            console.WriteLine("  the passwords are in that file only: load it onto the terminals, then keep it safe or delete it; the brain keeps only hashes");
            return 0;
        });
        return fleet;
    }

    /// <summary>The terminal ids: read from a file, or made from a prefix and a count.</summary>
    public static string[] Terminals(string? file, int? count, string prefix, int start)
    {
        if ((file is null) == (count is null))
        {
            throw new UsageException("name the terminals with --count (and --prefix, --start) or with --from FILE, one of them");
        }

        if (count is not null)
        {
            if (count is < 1 or > 1_000_000 || start < 0)
            {
                throw new UsageException("--count must be 1 to 1,000,000 and --start 0 or more");
            }

            var width = (start + count.Value - 1).ToString(System.Globalization.CultureInfo.InvariantCulture).Length;
            return [.. Enumerable.Range(start, count.Value).Select(n => prefix + n.ToString(System.Globalization.CultureInfo.InvariantCulture).PadLeft(width, '0'))];
        }

        if (!File.Exists(file))
        {
            throw new UsageException($"{file} does not exist");
        }

        var ids = new List<string>();
        foreach (var line in File.ReadLines(file!))
        {
            var id = line.Split(',')[0].Trim().Trim('"');
            if (id.Length == 0 || id.StartsWith('#') || (ids.Count == 0 && id.Equals("terminal", StringComparison.OrdinalIgnoreCase)))
            {
                continue;
            }

            ids.Add(id);
        }

        if (ids.Count == 0)
        {
            throw new UsageException($"{file} names no terminal");
        }

        var twice = ids.GroupBy(id => id, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1);
        return twice is null ? [.. ids] : throw new UsageException($"{file} names terminal '{twice.Key}' twice");
    }
}
