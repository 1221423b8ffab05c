using System.IO.MemoryMappedFiles;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Pipeline.Runtime.Core;
using Pipeline.Runtime.Data.Files;

namespace Pipeline.Runtime.Data.Store;

/// <summary>
/// A decoded-video store: the videos of one data set decoded once at one sampling (frames, resolution, fps), as bytes
/// (C, T, H, W, a byte b standing for b / 255) in one contiguous file, memory-mapped, with an index that records for
/// each video file its size, modification time and SHA-256 and the slot its pixels occupy. A later run reopens it
/// reading metadata only (<see cref="VideoLoader"/>); its pixels are read a minibatch at a time.
/// </summary>
/// <remarks>
/// <para>Files: <c>pixels.u8</c> (slot k at byte k · C·T·H·W), <c>index.json</c> (written atomically after the
/// pixels it describes are on disk) and <c>store.lock</c> (held while the store is opened or updated: readers never
/// see an index without its pixels). New videos are appended; slots of removed or changed videos become garbage and
/// the file is rewritten without them when they outnumber the live ones. A process that mapped the file before keeps
/// reading its own copy (appends do not move a slot, and a rewrite replaces the file by renaming).</para>
/// <para>Each slot has a checksum (the first 16 hex digits of the SHA-256 of its bytes), verified the first time
/// this process reads the slot: a damaged store is reported and removed, never trained on.</para>
/// <para>Without a folder (<see cref="InMemory"/>) the same store keeps its slots in memory, for runs without a cache.</para>
/// </remarks>
public sealed class VideoStore : IDisposable
{
    /// <summary>The pixel file.</summary>
    public const string PixelsFile = "pixels.u8";

    /// <summary>The index file.</summary>
    public const string IndexFile = "index.json";

    /// <summary>The lock file.</summary>
    public const string LockFile = "store.lock";

    /// <summary>The index format's version; an index of another version is discarded.</summary>
    public const int FormatVersion = 1;

    private static readonly JsonSerializerOptions Json = new() { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    private readonly Dictionary<string, VideoStoreEntry> byPath;
    private readonly Dictionary<string, VideoStoreEntry> byContent;
    private readonly List<byte[]>? memory;
    private MemoryMappedFile? map;
    private MemoryMappedViewAccessor? view;
    private byte[] verified;

    private VideoStore(string? folder, VideoSampling sampling, IReadOnlyList<VideoStoreEntry> entries, long slots)
    {
        Folder = folder;
        Sampling = sampling;
        Entries = entries;
        Slots = slots;
        byPath = entries.ToDictionary(e => e.Path, StringComparer.Ordinal);
        byContent = new Dictionary<string, VideoStoreEntry>(StringComparer.Ordinal);
        foreach (var entry in entries)
        {
            byContent.TryAdd(entry.Sha256, entry);
        }

        memory = folder is null ? [] : null;
        verified = new byte[slots];
    }

    /// <summary>The store's folder; null for a store in memory.</summary>
    public string? Folder { get; }

    /// <summary>The sampling every video was decoded at.</summary>
    public VideoSampling Sampling { get; }

    /// <summary>Bytes per video, C·T·H·W.</summary>
    public int SlotBytes => Sampling.Shape.Length;

    /// <summary>The indexed videos.</summary>
    public IReadOnlyList<VideoStoreEntry> Entries { get; private set; }

    /// <summary>Slots in the pixel file, garbage included.</summary>
    public long Slots { get; private set; }

    /// <summary>
    /// The folder of the store for the data set read from <paramref name="dataSet"/> (a pair file's full path) at
    /// <paramref name="sampling"/>, under <paramref name="root"/>: the first 32 hex digits of the SHA-256 of both.
    /// </summary>
    public static string FolderFor(string root, string dataSet, VideoSampling sampling)
    {
        ArgumentNullException.ThrowIfNull(sampling);
        var key = $"pipeline video store\n{SamplingText(sampling)}\n{Path.GetFullPath(dataSet)}";
        return Path.Combine(root, Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)))[..32]);
    }

    /// <summary>The sampling as the index and the store's key write it.</summary>
    public static string SamplingText(VideoSampling sampling) =>
        string.Create(System.Globalization.CultureInfo.InvariantCulture, $"frames {sampling.Frames}, {sampling.Height}x{sampling.Width}, fps {sampling.Fps:R}");

    /// <summary>An empty store that keeps its slots in memory.</summary>
    public static VideoStore InMemory(VideoSampling sampling) => new(null, sampling, [], 0);

    /// <summary>
    /// Opens the store in <paramref name="folder"/> (call under <see cref="Lock"/>); a missing, unreadable or
    /// inconsistent store opens empty, and <paramref name="problem"/> says why when there was one.
    /// </summary>
    public static VideoStore Open(string folder, VideoSampling sampling, out string? problem)
    {
        problem = null;
        var indexPath = Path.Combine(folder, IndexFile);
        if (!File.Exists(indexPath))
        {
            return new VideoStore(folder, sampling, [], 0);
        }

        StoredIndex? index;
        try
        {
            using var stream = File.OpenRead(indexPath);
            index = JsonSerializer.Deserialize<StoredIndex>(stream, Json);
        }
        catch (Exception error) when (error is JsonException or IOException or NotSupportedException)
        {
            problem = $"its index cannot be read ({error.Message})";
            return new VideoStore(folder, sampling, [], 0);
        }

        var pixels = new FileInfo(Path.Combine(folder, PixelsFile));
        var slotBytes = sampling.Shape.Length;
        if (index is null || index.Version != FormatVersion || index.Sampling != SamplingText(sampling) || index.SlotBytes != slotBytes || index.Videos is null)
        {
            problem = "its index is of another format or sampling";
            return new VideoStore(folder, sampling, [], 0);
        }

        if (!pixels.Exists || pixels.Length < index.Slots * slotBytes || index.Videos.Any(v => v.Slot < 0 || v.Slot >= index.Slots || v.Path is null || v.Sha256 is null || v.Check is null))
        {
            problem = $"its pixel file is {(pixels.Exists ? $"{pixels.Length} bytes long, not the {index.Slots * slotBytes} its index describes" : "missing")}";
            return new VideoStore(folder, sampling, [], 0);
        }

        var store = new VideoStore(folder, sampling, index.Videos, index.Slots);
        store.Map();
        return store;
    }

    /// <summary>Takes the store's lock (waiting up to 30 minutes for another process that decodes into it).</summary>
    public static IDisposable Lock(string folder)
    {
        Directory.CreateDirectory(folder);
        var path = Path.Combine(folder, LockFile);
        var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(30);
        while (true)
        {
            try
            {
                return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            }
            catch (IOException) when (DateTime.UtcNow < deadline)
            {
                Thread.Sleep(200);
            }
        }
    }

    /// <summary>The entry of a video file by its full path, or null.</summary>
    public VideoStoreEntry? FindPath(string path) => byPath.GetValueOrDefault(path);

    /// <summary>An entry whose file had this SHA-256 (the same content under another name, or rewritten unchanged), or null.</summary>
    public VideoStoreEntry? FindContent(string sha256) => byContent.GetValueOrDefault(sha256);

    /// <summary>
    /// Makes the store hold exactly <paramref name="kept"/> (entries of this store, possibly with new paths and
    /// stamps) and <paramref name="added"/> (new videos with their decoded bytes): appends the new pixels, rewrites the
    /// pixel file without garbage when garbage outnumbers live slots, then writes the index. Call under <see cref="Lock"/>.
    /// </summary>
    public void Update(IReadOnlyList<VideoStoreEntry> kept, IReadOnlyList<(VideoStoreEntry Entry, byte[] Pixels)> added)
    {
        ArgumentNullException.ThrowIfNull(kept);
        ArgumentNullException.ThrowIfNull(added);
        var entries = new List<VideoStoreEntry>(kept.Count + added.Count);
        var liveSlots = kept.Select(e => e.Slot).Distinct().Count() + added.Count;
        var slots = Slots;
        if (Folder is null)
        {
            foreach (var (entry, pixels) in added)
            {
                memory!.Add(pixels);
                entries.Add(entry with { Slot = slots++ });
            }

            entries.AddRange(kept);
        }
        else if (slots + added.Count > 2L * liveSlots && slots > 0)
        {
            (entries, slots) = Rewrite(kept, added);
        }
        else
        {
            entries.AddRange(kept);
            entries.AddRange(Append(added, ref slots));
        }

        if (Folder is not null)
        {
            var index = new StoredIndex(FormatVersion, SamplingText(Sampling), SlotBytes, slots, entries.OrderBy(e => e.Path, StringComparer.Ordinal).ToList());
            DurableFile.WriteAllBytes(Path.Combine(Folder, IndexFile), JsonSerializer.SerializeToUtf8Bytes(index, Json), "decoded-video store index");
        }

        Entries = entries;
        Slots = slots;
        byPath.Clear();
        byContent.Clear();
        foreach (var entry in entries)
        {
            byPath[entry.Path] = entry;
            byContent.TryAdd(entry.Sha256, entry);
        }

        Array.Resize(ref verified, (int)Math.Max(slots, verified.Length));
        if (Folder is not null)
        {
            Map();
        }
    }

    /// <summary>Copies the pixels of a slot, verifying its checksum the first time this process reads it.</summary>
    /// <exception cref="PipelineException">PIPE4112 when the bytes do not match their checksum (the store is then removed).</exception>
    public void Read(VideoStoreEntry entry, Span<byte> destination)
    {
        ArgumentNullException.ThrowIfNull(entry);
        if (destination.Length < SlotBytes)
        {
            throw new ArgumentException("the destination is shorter than a video", nameof(destination));
        }

        var target = destination[..SlotBytes];
        if (memory is not null)
        {
            memory[(int)entry.Slot].CopyTo(target);
            return;
        }

        view!.SafeMemoryMappedViewHandle.ReadSpan((ulong)(view.PointerOffset + (entry.Slot * SlotBytes)), target);
        if (Volatile.Read(ref verified[entry.Slot]) == 0)
        {
            if (Checksum(target) != entry.Check)
            {
                Discard();
                throw new PipelineException(DataDiagnosticCodes.VideoStoreDamaged,
                    $"the decoded-video store {Folder} is damaged: the pixels of '{entry.Path}' do not match their checksum; the store was removed, run again to decode the videos anew.");
            }

            Volatile.Write(ref verified[entry.Slot], 1);
        }
    }

    /// <summary>Checks every slot against its checksum without remembering it; returns the first damaged video's path, or null.</summary>
    public string? Verify()
    {
        var buffer = new byte[SlotBytes];
        foreach (var entry in Entries)
        {
            view!.SafeMemoryMappedViewHandle.ReadSpan((ulong)(view.PointerOffset + (entry.Slot * SlotBytes)), buffer.AsSpan());
            if (Checksum(buffer) != entry.Check)
            {
                return entry.Path;
            }
        }

        return null;
    }

    /// <summary>The checksum of a slot's bytes: the first 16 hex digits of their SHA-256.</summary>
    public static string Checksum(ReadOnlySpan<byte> pixels) => Convert.ToHexStringLower(SHA256.HashData(pixels))[..16];

    public void Dispose()
    {
        view?.Dispose();
        map?.Dispose();
        view = null;
        map = null;
    }

    private IEnumerable<VideoStoreEntry> Append(IReadOnlyList<(VideoStoreEntry Entry, byte[] Pixels)> added, ref long slots)
    {
        var path = Path.Combine(Folder!, PixelsFile);
        var result = new List<VideoStoreEntry>(added.Count);
        try
        {
            using var stream = new FileStream(path, FileMode.OpenOrCreate, FileAccess.Write, FileShare.Read);

            // Bytes past the indexed slots are what a killed update left: write over them.
            stream.SetLength(slots * SlotBytes);
            stream.Position = slots * SlotBytes;
            foreach (var (entry, pixels) in added)
            {
                stream.Write(pixels);
                result.Add(entry with { Slot = slots++ });
            }

            stream.Flush(flushToDisk: true);
        }
        catch (IOException error)
        {
            throw DurableFile.Failure(path, error, "decoded-video store");
        }

        return result;
    }

    private (List<VideoStoreEntry> Entries, long Slots) Rewrite(IReadOnlyList<VideoStoreEntry> kept, IReadOnlyList<(VideoStoreEntry Entry, byte[] Pixels)> added)
    {
        var entries = new List<VideoStoreEntry>(kept.Count + added.Count);
        var moved = new Dictionary<long, long>();
        var slots = 0L;
        var buffer = new byte[SlotBytes];
        DurableFile.Write(Path.Combine(Folder!, PixelsFile), stream =>
        {
            foreach (var entry in kept)
            {
                if (!moved.TryGetValue(entry.Slot, out var slot))
                {
                    Read(entry, buffer);
                    stream.Write(buffer);
                    slot = slots++;
                    moved[entry.Slot] = slot;
                }

                entries.Add(entry with { Slot = slot });
            }

            foreach (var (entry, pixels) in added)
            {
                stream.Write(pixels);
                entries.Add(entry with { Slot = slots++ });
            }
        }, "decoded-video store");
        verified = new byte[slots];
        return (entries, slots);
    }

    private void Map()
    {
        Dispose();
        var path = Path.Combine(Folder!, PixelsFile);
        if (Slots == 0)
        {
            return;
        }

        map = MemoryMappedFile.CreateFromFile(path, FileMode.Open, mapName: null, capacity: 0, MemoryMappedFileAccess.Read);
        view = map.CreateViewAccessor(0, Slots * SlotBytes, MemoryMappedFileAccess.Read);
    }

    private void Discard()
    {
        try
        {
            File.Delete(Path.Combine(Folder!, IndexFile));
        }
        catch (Exception error) when (error is IOException or UnauthorizedAccessException)
        {
            // The next run finds the damage again and reports it.
        }
    }

    /// <summary>The index as stored (snake_case JSON).</summary>
    private sealed record StoredIndex(int Version, string Sampling, int SlotBytes, long Slots, List<VideoStoreEntry>? Videos);
}

/// <summary>One video of a <see cref="VideoStore"/>: its file as last seen, and where its pixels are.</summary>
/// <param name="Path">The video file's full path.</param>
/// <param name="Bytes">The file's size when it was decoded or last checked.</param>
/// <param name="Modified">The file's modification time then (UTC ticks).</param>
/// <param name="Sha256">The SHA-256 of the file's content.</param>
/// <param name="Slot">The slot of its pixels.</param>
/// <param name="Check">The checksum of its pixels (<see cref="VideoStore.Checksum"/>).</param>
public sealed record VideoStoreEntry(string Path, long Bytes, long Modified, string Sha256, long Slot, string Check);
