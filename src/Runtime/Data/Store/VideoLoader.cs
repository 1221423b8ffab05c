using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using Pipeline.Runtime.Core;
using Pipeline.Runtime.Data.Files;

namespace Pipeline.Runtime.Data.Store;

/// <summary>One video file that could not be read: its path, the error's code and what went wrong.</summary>
public sealed record BadVideo(string Path, string Code, string Reason);

/// <summary>A loaded video: its pixels in a <see cref="VideoStore"/> slot (files ffmpeg decodes) or floats (.npy arrays).</summary>
public sealed record LoadedVideo(VideoStore? Store, VideoStoreEntry? Entry, Video? Floats);

/// <summary>How <see cref="VideoLoader"/> loads: where stores live (null: decode into memory), for which data set, with how many workers, reporting progress how.</summary>
/// <param name="StoreRoot">The folder of the decoded-video stores (the stage cache's <c>.videos</c>), or null to decode into memory every time.</param>
/// <param name="DataSet">The data set's identity (the pair file's full path): one store per data set and sampling.</param>
/// <param name="Workers">How many videos are decoded at once (<see cref="DecodeWorkers.Available()"/>).</param>
/// <param name="Progress">Called after each file that needed work with (done, total), from the workers' threads.</param>
public sealed record VideoLoadSettings(string? StoreRoot, string DataSet, int Workers, Action<int, int>? Progress = null);

/// <summary>What <see cref="VideoLoader.Load"/> gave.</summary>
public sealed class VideoLoad
{
    internal VideoLoad(IReadOnlyDictionary<string, LoadedVideo> videos, IReadOnlyList<BadVideo> bad, int decoded, int arrays, string? fingerprint, string? storeProblem)
    {
        Videos = videos;
        Bad = bad;
        Decoded = decoded;
        Arrays = arrays;
        Fingerprint = fingerprint;
        StoreProblem = storeProblem;
    }

    /// <summary>Each readable video by its full path.</summary>
    public IReadOnlyDictionary<string, LoadedVideo> Videos { get; }

    /// <summary>The videos that could not be read, by path.</summary>
    public IReadOnlyList<BadVideo> Bad { get; }

    /// <summary>How many files ffmpeg decoded in this load (0 when the store had them all).</summary>
    public int Decoded { get; }

    /// <summary>How many .npy arrays were read (they are read every time, at their own precision).</summary>
    public int Arrays { get; }

    /// <summary>
    /// A SHA-256 over the sampling and every readable video's path and content hash (null without a store): it
    /// changes exactly when a video the data set uses changes, appears or disappears.
    /// </summary>
    public string? Fingerprint { get; }

    /// <summary>Why the store could not be reused, when it was there but unusable (it was then rebuilt).</summary>
    public string? StoreProblem { get; }
}

/// <summary>
/// Loads the videos of a data set at one sampling. Files ffmpeg decodes go through the data set's
/// <see cref="VideoStore"/>: a file whose size and modification time match its index entry is reused without being
/// read; any other file is hashed, and reused when its content is already in the store (renamed, or rewritten
/// unchanged); only new content is decoded, by ffmpeg processes running in parallel. Every file that cannot be read is
/// collected with its reason instead of stopping at the first. <c>.npy</c> arrays are read as floats every time.
/// </summary>
/// <remarks>
/// The size and modification time are a shortcut: a file rewritten with other content of the same size and given back
/// its old modification time (<c>touch -r</c>, some copy tools) is not noticed. Anything that writes a file normally
/// changes its modification time, and then the content hash decides.
/// </remarks>
public static class VideoLoader
{
    public static VideoLoad Load(IReadOnlyCollection<string> paths, VideoSampling sampling, VideoLoadSettings settings)
    {
        ArgumentNullException.ThrowIfNull(paths);
        ArgumentNullException.ThrowIfNull(sampling);
        ArgumentNullException.ThrowIfNull(settings);
        var distinct = paths.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToArray();
        if (settings.StoreRoot is null)
        {
            return LoadInto(VideoStore.InMemory(sampling), distinct, sampling, settings, problem: null);
        }

        var folder = VideoStore.FolderFor(settings.StoreRoot, settings.DataSet, sampling);
        using var storeLock = VideoStore.Lock(folder);
        var store = VideoStore.Open(folder, sampling, out var problem);
        return LoadInto(store, distinct, sampling, settings, problem);
    }

    private static VideoLoad LoadInto(VideoStore store, string[] paths, VideoSampling sampling, VideoLoadSettings settings, string? problem)
    {
        var hashing = store.Folder is not null;
        var bad = new ConcurrentBag<BadVideo>();
        var kept = new ConcurrentDictionary<string, VideoStoreEntry>(StringComparer.Ordinal);
        var added = new ConcurrentDictionary<string, (VideoStoreEntry Entry, byte[] Pixels)>(StringComparer.Ordinal);
        var arrays = new ConcurrentDictionary<string, (Video Video, string? Sha256)>(StringComparer.Ordinal);
        var work = new List<(string Path, FileInfo File)>();
        foreach (var path in paths)
        {
            var file = new FileInfo(path);
            if (!VideoFileReader.CanRead(path))
            {
                bad.Add(new BadVideo(path, DataDiagnosticCodes.UnsupportedVideoFormat,
                    $"video file '{path}' has extension '{Path.GetExtension(path)}'; use .mp4 (or another container ffmpeg reads) or .npy."));
            }
            else if (!file.Exists)
            {
                bad.Add(new BadVideo(path, DataDiagnosticCodes.VideoFileMissing, $"video file '{path}' does not exist."));
            }
            else if (!VideoFileReader.IsArray(path) && store.FindPath(path) is { } entry && entry.Bytes == file.Length && entry.Modified == file.LastWriteTimeUtc.Ticks)
            {
                kept[path] = entry;
            }
            else
            {
                work.Add((path, file));
            }
        }

        var done = 0;
        var decoded = 0;
        ForEach(work, settings.Workers, item =>
        {
            try
            {
                var sha256 = hashing ? Sha256(item.Path) : string.Empty;
                if (VideoFileReader.IsArray(item.Path))
                {
                    arrays[item.Path] = (VideoFileReader.Read(item.Path, sampling), hashing ? sha256 : null);
                }
                else if (hashing && store.FindContent(sha256) is { } same)
                {
                    kept[item.Path] = same with { Path = item.Path, Bytes = item.File.Length, Modified = item.File.LastWriteTimeUtc.Ticks };
                }
                else
                {
                    var pixels = VideoFileReader.DecodeBytes(item.Path, sampling);
                    Interlocked.Increment(ref decoded);
                    added[item.Path] = (new VideoStoreEntry(item.Path, item.File.Length, item.File.LastWriteTimeUtc.Ticks, sha256, -1, VideoStore.Checksum(pixels)), pixels);
                }
            }
            catch (PipelineException error) when (error.Code != DataDiagnosticCodes.FfmpegNotFound)
            {
                bad.Add(new BadVideo(item.Path, error.Code, error.Message));
            }
            catch (Exception error) when (error is IOException or UnauthorizedAccessException)
            {
                bad.Add(new BadVideo(item.Path, DataDiagnosticCodes.VideoDecodeFailed, $"video file '{item.Path}' cannot be read: {error.Message}"));
            }

            settings.Progress?.Invoke(Interlocked.Increment(ref done), work.Count);
        });

        var keptList = kept.Values.OrderBy(e => e.Path, StringComparer.Ordinal).ToArray();
        var addedList = added.Values.OrderBy(a => a.Entry.Path, StringComparer.Ordinal).ToArray();
        if (addedList.Length > 0 || !keptList.SequenceEqual(store.Entries.OrderBy(e => e.Path, StringComparer.Ordinal)))
        {
            store.Update(keptList, addedList);
        }

        var videos = new Dictionary<string, LoadedVideo>(StringComparer.Ordinal);
        foreach (var path in paths)
        {
            if (arrays.TryGetValue(path, out var array))
            {
                videos[path] = new LoadedVideo(null, null, array.Video);
            }
            else if ((kept.ContainsKey(path) || added.ContainsKey(path)) && store.FindPath(path) is { } entry)
            {
                videos[path] = new LoadedVideo(store, entry, null);
            }
        }

        var fingerprint = hashing ? Fingerprint(sampling, videos.Select(v => (v.Key, v.Value.Entry?.Sha256 ?? arrays[v.Key].Sha256!))) : null;
        var badList = bad.OrderBy(b => b.Path, StringComparer.Ordinal).ToArray();
        return new VideoLoad(videos, badList, decoded, arrays.Count, fingerprint, problem);
    }

    /// <summary>Runs <paramref name="body"/> on up to <paramref name="workers"/> threads; an error that is no single video's (ffmpeg missing) stops the load as itself.</summary>
    private static void ForEach<T>(IEnumerable<T> items, int workers, Action<T> body)
    {
        try
        {
            Parallel.ForEach(items, new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, workers) }, body);
        }
        catch (AggregateException error) when (error.InnerExceptions.OfType<PipelineException>().FirstOrDefault() is { } first)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(first).Throw();
        }
    }

    private static string Fingerprint(VideoSampling sampling, IEnumerable<(string Path, string Sha256)> videos)
    {
        var text = new StringBuilder(VideoStore.SamplingText(sampling)).Append('\n');
        foreach (var (path, sha256) in videos.OrderBy(v => v.Path, StringComparer.Ordinal))
        {
            text.Append(path).Append('\t').Append(sha256).Append('\n');
        }

        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString())));
    }

    private static string Sha256(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1 << 16);
        return Convert.ToHexStringLower(SHA256.HashData(stream));
    }
}
