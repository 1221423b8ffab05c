using Pipeline.Catalog;

namespace Pipeline.Cli;

/// <summary>
/// The cache's folders besides the stage cache whose files the runtime loads as they are, each guarded by its
/// <c>checksums.json</c> (<see cref="CacheChecksums"/>): compiled experiments (<c>assemblies/KEY</c>, KEY the assembly
/// cache key) and patched native libraries (<c>native/KEY</c>, KEY the first 16 hex digits of the original library's
/// SHA-256). <c>pipeline cache ls</c> reports them and <c>gc</c> removes the damaged ones; a folder not named like
/// theirs was not written by the cache and is left alone.
/// </summary>
internal static class TrustedCacheFolders
{
    /// <summary>One folder: its area (assemblies or native), key, size and, when damaged, what is wrong.</summary>
    public sealed record Entry(string Area, string Key, string Folder, long Bytes, string? Problem);

    private static readonly (string Area, int KeyLength)[] Areas = [("assemblies", 64), ("native", 16)];

    /// <summary>Every folder of both areas; with <paramref name="verify"/> every file is hashed, else only the recorded sizes are compared.</summary>
    public static IReadOnlyList<Entry> List(bool verify)
    {
        var entries = new List<Entry>();
        foreach (var (area, keyLength) in Areas)
        {
            var root = CachePaths.For(area);
            if (!Directory.Exists(root))
            {
                continue;
            }

            foreach (var folder in Directory.GetDirectories(root).Order(StringComparer.Ordinal))
            {
                var key = Path.GetFileName(folder);
                if (key.Length == keyLength && key.All(char.IsAsciiHexDigitLower))
                {
                    entries.Add(new Entry(area, key, folder, CacheChecksums.RecordedBytes(folder), CacheChecksums.Verify(folder, verify)));
                }
            }
        }

        return entries;
    }

    /// <summary>Removes the damaged folders <see cref="List"/> finds; returns them.</summary>
    public static IReadOnlyList<Entry> Collect(bool verify)
    {
        var removed = new List<Entry>();
        foreach (var entry in List(verify).Where(e => e.Problem is not null))
        {
            try
            {
                Directory.Delete(entry.Folder, recursive: true);
                removed.Add(entry);
            }
            catch (Exception error) when (error is IOException or UnauthorizedAccessException)
            {
                // In use or read-only: the next use finds it damaged anyway, and rebuilds it.
            }
        }

        return removed;
    }
}
