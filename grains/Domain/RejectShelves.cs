using IndustryBrain.Contracts;

namespace IndustryBrain.Domain;

/// <summary>
/// The reject log's memory: a bounded shelf of the newest rejections per enterprise, so that one firm's
/// noise never pushes out another firm's evidence. Rejections of senders that name no valid enterprise, and
/// of enterprises beyond <see cref="MaxEnterprises"/> shelves, share one more shelf of the same size (a
/// shelf, once made, is never taken away from its firm).
/// </summary>
public sealed class RejectShelves(int perEnterprise, int maxEnterprises)
{
    /// <summary>The shelf of rejections that belong to no enterprise's shelf.</summary>
    public const string Unattributed = "";

    private readonly Dictionary<string, Queue<Entry>> _shelves = new(StringComparer.Ordinal);
    private long _sequence;

    private readonly record struct Entry(long Sequence, Rejection Rejection);

    public int PerEnterprise { get; } = Math.Max(1, perEnterprise);

    public int MaxEnterprises { get; } = Math.Max(0, maxEnterprises);

    /// <summary>Enterprises with a shelf of their own.</summary>
    public int Enterprises => _shelves.Count - (_shelves.ContainsKey(Unattributed) ? 1 : 0);

    /// <summary>Rejections kept now, on all shelves.</summary>
    public int Count => _shelves.Values.Sum(s => s.Count);

    public void Add(Rejection rejection)
    {
        var shelf = ShelfFor(rejection.Enterprise);
        shelf.Enqueue(new Entry(++_sequence, rejection));
        if (shelf.Count > PerEnterprise)
        {
            shelf.Dequeue();
        }
    }

    private Queue<Entry> ShelfFor(string? enterprise)
    {
        if (enterprise is { Length: > 0 } && Ids.IsValid(enterprise))
        {
            if (_shelves.TryGetValue(enterprise, out var own))
            {
                return own;
            }

            if (Enterprises < MaxEnterprises)
            {
                return _shelves[enterprise] = new Queue<Entry>();
            }
        }

        if (!_shelves.TryGetValue(Unattributed, out var shared))
        {
            _shelves[Unattributed] = shared = new Queue<Entry>();
        }

        return shared;
    }

    /// <summary>
    /// The newest rejections first, at most <paramref name="limit"/>: of one enterprise (what its shelf holds,
    /// and what of it went to the shared shelf), or of all when <paramref name="enterprise"/> is null.
    /// </summary>
    public Rejection[] Recent(string? enterprise, int limit)
    {
        limit = Math.Max(1, limit);
        IEnumerable<Queue<Entry>> shelves = enterprise is null
            ? _shelves.Values
            : [.. new[] { enterprise, Unattributed }.Distinct().Where(_shelves.ContainsKey).Select(e => _shelves[e])];

        // Each shelf is oldest first; walk each from its back (newest first), merging the shelves by sequence.
        int Matching(Entry[] entries, int from)
        {
            while (from >= 0 && enterprise is not null && entries[from].Rejection.Enterprise != enterprise)
            {
                from--;
            }

            return from;
        }

        var cursors = new List<Entry[]>();
        var queue = new PriorityQueue<(int Shelf, int At), long>();
        foreach (var shelf in shelves)
        {
            var entries = shelf.ToArray();
            var at = Matching(entries, entries.Length - 1);
            cursors.Add(entries);
            if (at >= 0)
            {
                queue.Enqueue((cursors.Count - 1, at), -entries[at].Sequence);
            }
        }

        var result = new List<Rejection>(Math.Min(limit, 256));
        while (result.Count < limit && queue.TryDequeue(out var cursor, out _))
        {
            var entries = cursors[cursor.Shelf];
            result.Add(entries[cursor.At].Rejection);
            var next = Matching(entries, cursor.At - 1);
            if (next >= 0)
            {
                queue.Enqueue((cursor.Shelf, next), -entries[next].Sequence);
            }
        }

        return [.. result];
    }
}
