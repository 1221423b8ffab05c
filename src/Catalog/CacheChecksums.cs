using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Pipeline.Catalog;

/// <summary>
/// The <c>checksums.json</c> of a cache folder the runtime trusts (a compiled experiment under <c>assemblies/</c>, a
/// patched native library under <c>native/</c>): the SHA-256 and the size in bytes of every other file in the folder,
/// <c>{"NAME": {"sha256": "…", "bytes": 1234}, …}</c>, the format the stage cache's entries use (docs/caching.md). It is
/// written last, after the files it covers, so a folder without it was never completed. It is here because the
/// catalogue is the one assembly both the compiler and the runtime reference (as <see cref="CachePaths"/>).
/// </summary>
public static class CacheChecksums
{
    public const string FileName = "checksums.json";
    private const string Sha256Key = "sha256";
    private const string BytesKey = "bytes";

    /// <summary>
    /// Records every file of <paramref name="folder"/> (its subfolders included, temporary <c>*.tmp</c> files left out)
    /// in its checksums.json, durably and atomically.
    /// </summary>
    public static void Write(string folder)
    {
        var checksums = new JsonObject();
        foreach (var file in Files(folder).Where(f => Relative(folder, f) != FileName))
        {
            checksums[Relative(folder, file)] = new JsonObject { [Sha256Key] = Sha256(file), [BytesKey] = new FileInfo(file).Length };
        }

        var path = Path.Combine(folder, FileName);
        var temporary = path + "." + Guid.NewGuid().ToString("N") + ".tmp";
        try
        {
            using (var stream = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None))
            {
                stream.Write(new UTF8Encoding(encoderShouldEmitUTF8Identifier: false).GetBytes(checksums.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n"));
                stream.Flush(flushToDisk: true);
            }

            File.Move(temporary, path, overwrite: true);
        }
        finally
        {
            // Gone after the rename; left only by a failed write, which must not leave it behind.
            File.Delete(temporary);
        }
    }

    /// <summary>
    /// Null when checksums.json lists exactly the folder's other files, each with its recorded size and (with
    /// <paramref name="hashContents"/>) its SHA-256; else what is wrong, as a phrase (<c>file x.dll does not match its checksum</c>).
    /// </summary>
    public static string? Verify(string folder, bool hashContents = true)
    {
        var path = Path.Combine(folder, FileName);
        if (!File.Exists(path))
        {
            return $"file {FileName} is missing";
        }

        JsonObject? checksums;
        try
        {
            checksums = JsonNode.Parse(File.ReadAllText(path)) as JsonObject;
        }
        catch (JsonException)
        {
            checksums = null;
        }

        if (checksums is null)
        {
            return $"file {FileName} is unreadable";
        }

        var present = Files(folder).Select(f => Relative(folder, f)).Where(f => f != FileName).ToHashSet(StringComparer.Ordinal);
        foreach (var (file, record) in checksums)
        {
            if (!present.Remove(file))
            {
                return $"file {file} is missing";
            }

            var (sha256, bytes) = Parse(record);
            if (sha256 is null || bytes is null)
            {
                return $"file {file} has no checksum in {FileName}";
            }

            var length = new FileInfo(Path.Combine(folder, file)).Length;
            if (length != bytes)
            {
                return string.Create(CultureInfo.InvariantCulture, $"file {file} has {length} bytes, not the {bytes} recorded in {FileName}");
            }

            if (hashContents && Sha256(Path.Combine(folder, file)) != sha256)
            {
                return $"file {file} does not match its checksum";
            }
        }

        return present.Count > 0 ? $"file {present.Order(StringComparer.Ordinal).First()} is not in {FileName}" : null;
    }

    /// <summary>The SHA-256 recorded for <paramref name="file"/> (relative to the folder), or null.</summary>
    public static string? Recorded(string folder, string file)
    {
        try
        {
            return JsonNode.Parse(File.ReadAllText(Path.Combine(folder, FileName))) is JsonObject checksums ? Parse(checksums[file]).Sha256 : null;
        }
        catch (Exception error) when (error is JsonException or IOException)
        {
            return null;
        }
    }

    /// <summary>The total size the folder's checksums.json records, plus its own; null when it is unreadable.</summary>
    public static long RecordedBytes(string folder)
    {
        var path = Path.Combine(folder, FileName);
        try
        {
            var total = new FileInfo(path).Length;
            if (JsonNode.Parse(File.ReadAllText(path)) is JsonObject checksums)
            {
                total += checksums.Sum(p => Parse(p.Value).Bytes ?? 0);
            }

            return total;
        }
        catch (Exception error) when (error is JsonException or IOException)
        {
            return Files(folder).Sum(f => new FileInfo(f).Length);
        }
    }

    public static string Sha256(string path)
    {
        using var stream = File.OpenRead(path);
        return Convert.ToHexStringLower(SHA256.HashData(stream));
    }

    public static string Sha256(ReadOnlySpan<byte> bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes));

    private static (string? Sha256, long? Bytes) Parse(JsonNode? record)
    {
        try
        {
            return record is JsonObject fields ? (fields[Sha256Key]?.GetValue<string>(), fields[BytesKey]?.GetValue<long>()) : (null, null);
        }
        catch (Exception error) when (error is InvalidOperationException or FormatException)
        {
            return (null, null);
        }
    }

    /// <summary>The folder's files but the temporary ones (<c>*.tmp</c>) of a write in progress, or of one a crash interrupted.</summary>
    private static IEnumerable<string> Files(string folder) =>
        Directory.Exists(folder)
            ? Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories).Where(f => !f.EndsWith(".tmp", StringComparison.Ordinal)).Order(StringComparer.Ordinal)
            : [];

    private static string Relative(string folder, string file) => Path.GetRelativePath(folder, file).Replace('\\', '/');
}
