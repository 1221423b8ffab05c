using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Pipeline.Catalog;
using Pipeline.Runtime.Core;

namespace Pipeline.Runtime.Execution.Caching;

/// <summary>What a lookup found: no entry, an intact one, or a corrupt one (with the reason).</summary>
public enum CacheEntryState
{
    Missing,
    Intact,
    Corrupt,

    /// <summary>Intact, but written by another build of the runtime, whose stages may compute something else.</summary>
    Stale,
}

/// <summary>The result of <see cref="StageCache.Lookup"/>.</summary>
public sealed record CacheLookup(CacheEntryState State, string Folder, JsonObject? Manifest, string? Problem);

/// <summary>One entry as <c>pipeline cache ls</c> shows it.</summary>
public sealed record CacheEntryInfo(string Hash, string Kind, string Stage, long Bytes, DateTime CreatedUtc, DateTime LastUsedUtc, string Folder);

/// <summary>
/// The stage cache (contracts.md, "Hashes and caches"): one folder per stage hash, <c>ROOT/&lt;hash&gt;/</c>, holding
/// <c>output.json</c> (kind, stage, metrics, the results sections the stage wrote, seconds), the artifact's files
/// under <c>artifact/</c>, and <c>checksums.json</c> (the SHA-256 and the size in bytes of every other file, recorded
/// when the entry is written). An entry is written into a
/// temporary folder beside it, every file fsync'd, then renamed into place, under a lock file (<c>&lt;hash&gt;.lock</c>,
/// opened with <see cref="FileShare.None"/>) so that two processes filling the same entry never interleave. Readers
/// take no lock: they only ever see a complete entry or none, and the checksums catch anything damaged afterwards.
/// <see cref="Lookup"/>, which precedes every load, hashes every file; <see cref="List"/> and <see cref="Collect"/>
/// read only the recorded metadata (manifest, checksums.json, file sizes) unless asked to verify, so listing a large
/// cache never reads its checkpoints.
/// </summary>
public sealed class StageCache
{
    public const string ManifestFile = "output.json";
    public const string ChecksumsFile = "checksums.json";
    public const string ArtifactFolder = "artifact";
    private const string TemporaryPrefix = ".tmp-";
    private const string Sha256Key = "sha256";
    private const string BytesKey = "bytes";
    private const string RuntimeBuildKey = "runtime_build";

    /// <summary>The kind <see cref="List"/> shows for a corrupt entry (its stage column then says what is wrong).</summary>
    public const string CorruptKind = "corrupt";

    /// <summary>The kind <see cref="List"/> shows for an entry of another runtime build, which no run of this one reads.</summary>
    public const string StaleKind = "stale";

    /// <summary>
    /// The kind <see cref="List"/> shows for a folder the cache did not write (not named by a stage hash, or holding
    /// none of an entry's files), which <see cref="Collect"/> never removes: a user's results written into the cache
    /// folder were once called corrupt and deleted.
    /// </summary>
    public const string ForeignKind = "foreign";

    public StageCache(string root)
    {
        Root = Path.GetFullPath(root);
    }

    /// <summary>The cache under <see cref="CachePaths.Root"/>: <c>ROOT/stages</c>.</summary>
    public static StageCache Default => new(CachePaths.For("stages"));

    public string Root { get; }

    public string EntryFolder(string hash) => Path.Combine(Root, hash);

    /// <summary>
    /// The decoded-video stores (<c>Pipeline.Runtime.Data.Store.VideoStore</c>), one folder per data set and sampling:
    /// <c>.videos</c>, which entry listings skip as they skip <c>.checkpoints</c>.
    /// </summary>
    public string VideoStoreRoot => Path.Combine(Root, ".videos");

    /// <summary>Finds the entry of a stage hash and verifies every file against its checksum.</summary>
    public CacheLookup Lookup(string hash) => Find(hash, hashContents: true);

    /// <summary>
    /// Finds an entry; with <paramref name="hashContents"/> every file is hashed and compared with its checksum, without
    /// it only the recorded metadata is checked (every recorded file present with its recorded size, no extra file),
    /// which reads no file's contents but the manifest's and checksums.json's.
    /// </summary>
    private CacheLookup Find(string hash, bool hashContents)
    {
        var folder = EntryFolder(hash);
        if (!Directory.Exists(folder))
        {
            return new CacheLookup(CacheEntryState.Missing, folder, null, null);
        }

        var problem = Verify(folder, hashContents);
        if (problem is not null)
        {
            return new CacheLookup(CacheEntryState.Corrupt, folder, null, problem);
        }

        try
        {
            var manifest = JsonNode.Parse(File.ReadAllText(Path.Combine(folder, ManifestFile))) as JsonObject;
            if (manifest is null)
            {
                return new CacheLookup(CacheEntryState.Corrupt, folder, null, $"file {ManifestFile} is not a JSON object");
            }

            var build = (manifest[RuntimeBuildKey] as JsonValue)?.TryGetValue<string>(out var written) == true ? written : "unknown";
            return build == RuntimeAssembly.Build
                ? new CacheLookup(CacheEntryState.Intact, folder, manifest, null)
                : new CacheLookup(CacheEntryState.Stale, folder, manifest, $"written by runtime build {build}, this is {RuntimeAssembly.Build}");
        }
        catch (JsonException error)
        {
            return new CacheLookup(CacheEntryState.Corrupt, folder, null, $"file {ManifestFile}: {error.Message}");
        }
    }

    /// <summary>Marks an entry as used now (its folder's write time), which <see cref="Collect"/> reads.</summary>
    public static void Touch(string folder)
    {
        try
        {
            Directory.SetLastWriteTimeUtc(folder, DateTime.UtcNow);
        }
        catch (IOException)
        {
            // Another process may be collecting it; the entry was read already.
        }
        catch (UnauthorizedAccessException)
        {
            // A read-only cache still serves its entries.
        }
    }

    /// <summary>
    /// Stores an entry: <paramref name="writeArtifact"/> fills <c>artifact/</c> of a temporary folder, then the manifest
    /// and checksums are written, everything fsync'd and the folder renamed into place. Under the entry's lock, an
    /// intact entry another process stored meanwhile is kept; a corrupt one is replaced.
    /// </summary>
    public void Store(string hash, JsonObject manifest, Action<string> writeArtifact)
    {
        Directory.CreateDirectory(Root);
        using var entryLock = Lock(hash);
        var final = EntryFolder(hash);
        if (Directory.Exists(final))
        {
            if (Find(hash, hashContents: true).State == CacheEntryState.Intact)
            {
                return;
            }

            Directory.Delete(final, recursive: true);
        }
        else if (File.Exists(final))
        {
            // A file where the entry's folder belongs (damage, or a stray copy): the path is the entry's own, and the
            // rename below would fail after the stage trained.
            File.Delete(final);
        }

        var temporary = Path.Combine(Root, $"{TemporaryPrefix}{hash}-{Environment.ProcessId}-{Guid.NewGuid():N}");
        try
        {
            var artifact = Path.Combine(temporary, ArtifactFolder);
            Directory.CreateDirectory(artifact);
            writeArtifact(artifact);
            manifest["created"] = DateTime.UtcNow.ToString("O", CultureInfo.InvariantCulture);
            manifest[RuntimeBuildKey] = RuntimeAssembly.Build;
            WriteDurably(Path.Combine(temporary, ManifestFile), manifest.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
            var checksums = new JsonObject();
            foreach (var file in Files(temporary))
            {
                checksums[Relative(temporary, file)] = new JsonObject { [Sha256Key] = Sha256(file), [BytesKey] = new FileInfo(file).Length };
                FlushToDisk(file);
            }

            WriteDurably(Path.Combine(temporary, ChecksumsFile), checksums.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
            Directory.Move(temporary, final);
        }
        finally
        {
            if (Directory.Exists(temporary))
            {
                Directory.Delete(temporary, recursive: true);
            }
        }
    }

    /// <summary>Removes an entry (a corrupt one, before it is recomputed) under its lock.</summary>
    public void Remove(string hash)
    {
        if (!Directory.Exists(Root))
        {
            return;
        }

        using var entryLock = Lock(hash);
        var folder = EntryFolder(hash);
        if (Directory.Exists(folder))
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    /// <summary>
    /// Every entry, newest first; corrupt entries are listed with kind "corrupt" and the problem as their stage, entries
    /// of another runtime build with kind "stale". Reads
    /// each entry's manifest and checksums.json and the sizes of its files, never their contents, so a damaged file of
    /// unchanged size is found by the next load (or with <paramref name="verify"/>, which hashes every file).
    /// </summary>
    public IReadOnlyList<CacheEntryInfo> List(bool verify = false)
    {
        if (!Directory.Exists(Root))
        {
            return [];
        }

        var entries = new List<CacheEntryInfo>();
        foreach (var folder in Directory.GetDirectories(Root))
        {
            var hash = Path.GetFileName(folder);
            if (hash.StartsWith('.'))
            {
                continue;
            }

            var lastUsed = Directory.GetLastWriteTimeUtc(folder);
            if (!WrittenByCache(folder))
            {
                entries.Add(new CacheEntryInfo(hash, ForeignKind, "not written by the cache; gc leaves it", 0, lastUsed, lastUsed, folder));
                continue;
            }

            var lookup = Find(hash, verify);
            if (lookup.Manifest is { } manifest)
            {
                var created = DateTime.TryParse(manifest["created"]?.GetValue<string>(), CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out var c) ? c : lastUsed;
                var kind = lookup.State == CacheEntryState.Stale ? StaleKind : manifest["kind"]?.GetValue<string>() ?? "?";
                entries.Add(new CacheEntryInfo(hash, kind, manifest["stage"]?.GetValue<string>() ?? "?", RecordedBytes(folder), created, lastUsed, folder));
            }
            else
            {
                entries.Add(new CacheEntryInfo(hash, CorruptKind, lookup.Problem ?? "?", Files(folder).Sum(f => new FileInfo(f).Length), lastUsed, lastUsed, folder));
            }
        }

        return entries.OrderByDescending(e => e.CreatedUtc).ThenBy(e => e.Hash, StringComparer.Ordinal).ToArray();
    }

    /// <summary>
    /// Removes corrupt and stale entries (<see cref="RuntimeAssembly.Build"/>), temporary folders left by killed processes and, with <paramref name="olderThan"/>, the
    /// entries not used for that long. Entries another process holds the lock of are skipped. Returns what it removed.
    /// Corrupt means what <see cref="List"/> finds: missing, extra or resized files, or with <paramref name="verify"/>
    /// also a file that does not match its checksum.
    /// </summary>
    public IReadOnlyList<CacheEntryInfo> Collect(TimeSpan? olderThan, DateTime nowUtc, bool verify = false)
    {
        var removed = new List<CacheEntryInfo>();
        if (!Directory.Exists(Root))
        {
            return removed;
        }

        foreach (var folder in Directory.GetDirectories(Root, TemporaryPrefix + "*").Where(f => IsHash(Path.GetFileName(f).Substring(TemporaryPrefix.Length).Split('-')[0])))
        {
            // A temporary folder younger than an hour may belong to a store in progress.
            if (nowUtc - Directory.GetLastWriteTimeUtc(folder) > TimeSpan.FromHours(1))
            {
                Directory.Delete(folder, recursive: true);
            }
        }

        foreach (var entry in List(verify))
        {
            var stale = olderThan is { } age && nowUtc - entry.LastUsedUtc > age;
            if (entry.Kind == ForeignKind || (entry.Kind is not (CorruptKind or StaleKind) && !stale))
            {
                continue;
            }

            try
            {
                Remove(entry.Hash);
                removed.Add(entry);
            }
            catch (IOException)
            {
                // Locked by a running process: leave it for the next collection.
            }
        }

        foreach (var lockFile in Directory.GetFiles(Root, "*.lock").Where(f => IsHash(Path.GetFileNameWithoutExtension(f))))
        {
            if (!Directory.Exists(Path.Combine(Root, Path.GetFileNameWithoutExtension(lockFile))))
            {
                TryDeleteLock(lockFile);
            }
        }

        return removed;
    }

    /// <summary>A stage hash as entries are named: 64 lower-case hexadecimal digits.</summary>
    private static bool IsHash(string name) => name.Length == 64 && name.All(char.IsAsciiHexDigitLower);

    /// <summary>
    /// Whether the cache wrote <paramref name="folder"/>: it is named by a stage hash and holds at least one of an
    /// entry's files. Only such folders are ever listed as entries or removed.
    /// </summary>
    private static bool WrittenByCache(string folder) =>
        IsHash(Path.GetFileName(folder))
        && (File.Exists(Path.Combine(folder, ChecksumsFile)) || File.Exists(Path.Combine(folder, ManifestFile)) || Directory.Exists(Path.Combine(folder, ArtifactFolder)));

    /// <summary>
    /// Null when checksums.json lists exactly the entry's other files, each with its recorded size and, with
    /// <paramref name="hashContents"/>, its SHA-256; else what is wrong. Entries written before sizes were recorded
    /// (a bare SHA-256 per file) are checked for presence only, unless hashed.
    /// </summary>
    private static string? Verify(string folder, bool hashContents)
    {
        var checksums = ReadChecksums(folder, out var problem);
        if (checksums is null)
        {
            return problem;
        }

        var present = Files(folder).Select(f => Relative(folder, f)).Where(f => f != ChecksumsFile).ToHashSet(StringComparer.Ordinal);
        foreach (var (file, record) in checksums)
        {
            if (!present.Remove(file))
            {
                return $"file {file} is missing";
            }

            var (sha256, bytes) = Parse(record);
            if (sha256 is null)
            {
                return $"file {file} has no checksum in {ChecksumsFile}";
            }

            if (hashContents)
            {
                if (Sha256(Path.Combine(folder, file)) != sha256)
                {
                    return $"file {file} does not match its checksum";
                }

                continue;
            }

            var length = new FileInfo(Path.Combine(folder, file)).Length;
            if (bytes is { } recorded && length != recorded)
            {
                return string.Create(CultureInfo.InvariantCulture, $"file {file} has {length} bytes, not the {recorded} recorded in {ChecksumsFile}");
            }
        }

        return present.Count > 0 ? $"file {present.Order(StringComparer.Ordinal).First()} is not in {ChecksumsFile}" : null;
    }

    /// <summary>The entry's size from checksums.json's recorded sizes (the size on disk for files without one).</summary>
    private static long RecordedBytes(string folder)
    {
        var checksumsPath = Path.Combine(folder, ChecksumsFile);
        var total = new FileInfo(checksumsPath).Length;
        foreach (var (file, record) in ReadChecksums(folder, out _) ?? [])
        {
            total += Parse(record).Bytes ?? new FileInfo(Path.Combine(folder, file)).Length;
        }

        return total;
    }

    private static JsonObject? ReadChecksums(string folder, out string? problem)
    {
        var checksumsPath = Path.Combine(folder, ChecksumsFile);
        if (!File.Exists(checksumsPath))
        {
            problem = $"file {ChecksumsFile} is missing";
            return null;
        }

        JsonObject? checksums;
        try
        {
            checksums = JsonNode.Parse(File.ReadAllText(checksumsPath)) as JsonObject;
        }
        catch (JsonException)
        {
            checksums = null;
        }

        problem = checksums is null ? $"file {ChecksumsFile} is unreadable" : null;
        return checksums;
    }

    /// <summary>A checksums.json record: <c>{"sha256": …, "bytes": …}</c>, or a bare SHA-256 string in older entries.</summary>
    private static (string? Sha256, long? Bytes) Parse(JsonNode? record)
    {
        try
        {
            return record switch
            {
                JsonValue value when value.TryGetValue<string>(out var sha256) => (sha256, null),
                JsonObject fields => (fields[Sha256Key]?.GetValue<string>(), fields[BytesKey]?.GetValue<long>()),
                _ => (null, null),
            };
        }
        catch (Exception error) when (error is InvalidOperationException or FormatException)
        {
            return (null, null);
        }
    }

    private FileStream Lock(string hash)
    {
        var path = Path.Combine(Root, hash + ".lock");
        var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(30);
        while (true)
        {
            try
            {
                return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            }
            catch (IOException) when (DateTime.UtcNow < deadline)
            {
                // Another process is filling this entry; wait for it (a training stage may take minutes).
                Thread.Sleep(200);
            }
        }
    }

    private static void TryDeleteLock(string path)
    {
        try
        {
            using (new FileStream(path, FileMode.Open, FileAccess.ReadWrite, FileShare.None))
            {
            }

            File.Delete(path);
        }
        catch (IOException)
        {
            // In use.
        }
    }

    private static IEnumerable<string> Files(string folder) =>
        Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal);

    private static string Relative(string folder, string file) => Path.GetRelativePath(folder, file).Replace('\\', '/');

    private static string Sha256(string path)
    {
        using var stream = File.OpenRead(path);
        return Convert.ToHexStringLower(SHA256.HashData(stream));
    }

    private static void WriteDurably(string path, string text) => DurableFile.WriteAllText(path, text + "\n", "cache entry");

    private static void FlushToDisk(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.ReadWrite, FileShare.Read);
        stream.Flush(flushToDisk: true);
    }
}
