using System.Globalization;

namespace IndustryBrain.Client.Commands;

/// <summary>A plain text table whose columns line up in a terminal, Chinese characters counting two columns.</summary>
public sealed class Table(params string[] headers)
{
    private readonly List<string[]> _rows = [headers];

    public Table Add(params object?[] cells)
    {
        _rows.Add([.. cells.Select(Cell)]);
        return this;
    }

    public void WriteTo(TextWriter output, string indent = "")
    {
        var widths = Enumerable.Range(0, headers.Length).Select(c => _rows.Max(r => Width(r[c]))).ToArray();
        foreach (var row in _rows)
        {
            var line = string.Concat(row.Select((cell, c) => c == row.Length - 1 ? cell : cell + new string(' ', widths[c] - Width(cell) + 2)));
            output.WriteLine(indent + line.TrimEnd());
        }
    }

    public static string Cell(object? value) => value switch
    {
        null => "-",
        long or int => string.Format(CultureInfo.InvariantCulture, "{0:N0}", value),
        decimal money => money.ToString("N2", CultureInfo.InvariantCulture),
        double fraction => fraction.ToString("P1", CultureInfo.InvariantCulture).Replace(" ", "", StringComparison.Ordinal),
        DateTimeOffset at => When(at),
        _ => Convert.ToString(value, CultureInfo.InvariantCulture) ?? "",
    };

    /// <summary>Every time the CLI prints is in this machine's time zone (TZ), whatever offset the brain sent it with.</summary>
    public static string When(DateTimeOffset at) => at.ToLocalTime().ToString("yyyy-MM-dd HH:mm zzz", CultureInfo.InvariantCulture);

    public static int Width(string text) => text.Sum(c => c >= '\u2E80' ? 2 : 1);
}
