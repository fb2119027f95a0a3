using System.Globalization;

namespace IndustryBrain.Silo.Archive;

/// <summary>
/// The archive's overflow on disk: records the database has not taken yet, when more wait than History:QueueCapacity
/// keeps in memory, or when a clean stop could not write them. Segment files (<c>{n}.spool</c>, 64 MiB at most) in a
/// folder: appended by one thread, read back oldest first by the writer, and deleted once their records are
/// committed to the database. A segment cut short by a crash is read up to its last whole record; a segment read again
/// after a crash writes its records twice, which the archive ignores by key. Thread-safe.
/// </summary>
public sealed class ArchiveSpool : IDisposable
{
    private const long SegmentBytes = 64L << 20;
    private const string Suffix = ".spool";
    private readonly object _gate = new();
    private readonly Queue<string> _closed = new();
    private readonly long _limitBytes;
    private readonly MemoryStream _record = new();
    private readonly BinaryWriter _recordWriter;
    private long _nextNumber;
    private FileStream? _tail;
    private string? _tailPath;
    private long _tailBytes;
    private long _bytes;
    private long _records;
    private long _oldestQueuedAt;

    // The segment being read back (the writer's thread only), and what of it and of earlier segments is read but not committed.
    private BinaryReader? _head;
    private string? _headPath;
    private readonly List<string> _readWhole = [];
    private long _readBytes;
    private long _readRecords;

    public ArchiveSpool(string folder, long limitBytes)
    {
        Folder = folder;
        _limitBytes = limitBytes;
        _recordWriter = new BinaryWriter(_record);
        Directory.CreateDirectory(folder);
        foreach (var (number, path) in Directory.EnumerateFiles(folder, "*" + Suffix)
            .Select(p => (Number: long.TryParse(Path.GetFileNameWithoutExtension(p), NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : -1, Path: p))
            .Where(s => s.Number >= 0).OrderBy(s => s.Number))
        {
            _closed.Enqueue(path);
            _bytes += new FileInfo(path).Length;
            _nextNumber = number + 1;
        }

        _oldestQueuedAt = _bytes > 0 ? System.Diagnostics.Stopwatch.GetTimestamp() : 0;
    }

    public string Folder { get; }

    /// <summary>Bytes on disk not yet committed to the database.</summary>
    public long Bytes => Interlocked.Read(ref _bytes);

    /// <summary>Records spooled by this run and not yet committed (a segment left by an earlier run counts only in <see cref="Bytes"/>).</summary>
    public long Records => Math.Max(0, Interlocked.Read(ref _records));

    public bool HasData => Bytes > 0;

    /// <summary>
    /// When the oldest record not yet read back was queued (a <see cref="System.Diagnostics.Stopwatch"/> timestamp; 0: none
    /// waits; a segment left by an earlier run counts from this run's start). Within one batch of the truth while reading back.
    /// </summary>
    public long OldestQueuedAt => HasData ? Interlocked.Read(ref _oldestQueuedAt) : 0;

    /// <summary>Appends a record; false when the spool holds History:SpoolLimitMegabytes already (the record is not kept).</summary>
    public bool Append(ArchiveItem item)
    {
        lock (_gate)
        {
            if (_bytes >= _limitBytes)
            {
                return false;
            }

            _record.SetLength(0);
            ArchiveRecordCodec.Write(_recordWriter, item);
            _recordWriter.Flush();
            if (_tail is null || _tailBytes >= SegmentBytes)
            {
                CloseTail();
                _tailPath = Path.Combine(Folder, _nextNumber++.ToString("D12", CultureInfo.InvariantCulture) + Suffix);
                _tail = new FileStream(_tailPath, FileMode.CreateNew, FileAccess.Write, FileShare.Read, 64 * 1024);
                _tailBytes = 0;
            }

            Span<byte> length = stackalloc byte[4];
            BitConverter.TryWriteBytes(length, (int)_record.Length);
            _tail.Write(length);
            _tail.Write(_record.GetBuffer(), 0, (int)_record.Length);
            _tailBytes += 4 + _record.Length;
            if (Interlocked.Add(ref _bytes, 4 + _record.Length) == 4 + _record.Length)
            {
                Interlocked.Exchange(ref _oldestQueuedAt, item.QueuedAt); // the first record of a spool that was empty
            }

            Interlocked.Add(ref _records, item.Count);
            return true;
        }
    }

    /// <summary>Hands what was appended to the operating system (a crash of the process then loses none of it).</summary>
    public void Flush()
    {
        lock (_gate)
        {
            _tail?.Flush();
        }
    }

    /// <summary>
    /// Reads the oldest records not read yet into <paramref name="into"/>, at most <paramref name="maxRecords"/>
    /// (counted as readings), oldest first; answers how many. Call <see cref="Committed"/> once they are in the database.
    /// </summary>
    public int Read(List<ArchiveItem> into, int maxRecords)
    {
        var taken = 0;
        while (taken < maxRecords)
        {
            if (_head is null && !OpenHead())
            {
                break;
            }

            var stream = _head!.BaseStream;
            if (stream.Length - stream.Position < 4)
            {
                EndHead(stream.Length - stream.Position);
                continue;
            }

            var start = stream.Position;
            var length = _head.ReadInt32();
            if (length <= 0 || stream.Length - stream.Position < length)
            {
                EndHead(stream.Length - start); // cut short by a crash
                continue;
            }

            ArchiveItem item;
            try
            {
                item = ArchiveRecordCodec.Read(_head);
            }
            catch (InvalidDataException)
            {
                _readBytes += 4 + length;
                UnreadableBytes += 4 + length; // a record damaged on disk: skipped, the rest of the segment is read
                continue;
            }
            finally
            {
                stream.Position = start + 4 + length;
            }

            _readBytes += 4 + length;
            _readRecords += item.Count;
            taken += item.Count;
            into.Add(item);
            Interlocked.Exchange(ref _oldestQueuedAt, item.QueuedAt); // the next unread one was queued just after
        }

        return taken;
    }

    /// <summary>What <see cref="Read"/> gave is in the database: whole segments read are deleted.</summary>
    public void Committed()
    {
        foreach (var path in _readWhole)
        {
            File.Delete(path);
        }

        _readWhole.Clear();
        Interlocked.Add(ref _bytes, -_readBytes);
        Interlocked.Add(ref _records, -_readRecords);
        _readBytes = 0;
        _readRecords = 0;
    }

    private bool OpenHead()
    {
        string path;
        lock (_gate)
        {
            if (_closed.Count == 0)
            {
                if (_tail is null || _tailBytes == 0)
                {
                    return false;
                }

                CloseTail(); // the writer has caught up with the appender: read what it appended so far
            }

            path = _closed.Dequeue();
        }

        _headPath = path;
        _head = new BinaryReader(new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 64 * 1024));
        return true;
    }

    private void EndHead(long unreadable)
    {
        _head!.Dispose();
        _head = null;
        _readWhole.Add(_headPath!);
        _readBytes += unreadable;
        if (unreadable > 0)
        {
            UnreadableBytes += unreadable;
        }
    }

    /// <summary>Bytes at the end of a segment that were not a whole record (a crash while appending).</summary>
    public long UnreadableBytes { get; private set; }

    private void CloseTail()
    {
        if (_tail is null)
        {
            return;
        }

        var empty = _tailBytes == 0;
        _tail.Dispose();
        _tail = null;
        if (empty)
        {
            File.Delete(_tailPath!);
        }
        else
        {
            _closed.Enqueue(_tailPath!);
        }
    }

    public void Dispose()
    {
        lock (_gate)
        {
            _tail?.Dispose();
            _tail = null;
        }

        _head?.Dispose();
        _head = null;
        _recordWriter.Dispose();
    }
}
