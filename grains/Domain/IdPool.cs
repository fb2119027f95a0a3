using System.Collections.Concurrent;

namespace IndustryBrain.Domain;

/// <summary>
/// One shared string per identifier (terminal, step, order ids and step names): a district has a few
/// hundred thousand of them, while every parsed reading would otherwise bring its own copies, kept by
/// each order for as long as it lives. Bounded: past <see cref="Capacity"/> ids it stops remembering.
/// </summary>
public static class IdPool
{
    public const int Capacity = 2_000_000;
    private static readonly ConcurrentDictionary<string, string> Pool = new(StringComparer.Ordinal);
    private static readonly ConcurrentDictionary<string, string>.AlternateLookup<ReadOnlySpan<char>> BySpan =
        Pool.GetAlternateLookup<ReadOnlySpan<char>>();

    public static int Count => Pool.Count;

    public static string Shared(string id)
    {
        if (Pool.TryGetValue(id, out var shared))
        {
            return shared;
        }

        return Pool.Count < Capacity ? Pool.GetOrAdd(id, id) : id;
    }

    public static string? SharedOrNull(string? id) => id is null ? null : Shared(id);

    /// <summary>The shared string for an ASCII id given as UTF-8 bytes; allocates only for an id not seen before.</summary>
    public static string Shared(ReadOnlySpan<byte> ascii)
    {
        Span<char> chars = stackalloc char[Ids.MaxLength];
        if (ascii.Length > chars.Length)
        {
            return System.Text.Encoding.ASCII.GetString(ascii);
        }

        for (var i = 0; i < ascii.Length; i++)
        {
            chars[i] = (char)ascii[i];
        }

        var span = chars[..ascii.Length];
        return BySpan.TryGetValue(span, out var shared) ? shared : Shared(new string(span));
    }
}
