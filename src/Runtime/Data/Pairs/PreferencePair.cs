using Pipeline.Runtime.Core;
using Pipeline.Runtime.Data.Store;
using Pipeline.Runtime.Data.Synthetic;

namespace Pipeline.Runtime.Data.Pairs;

/// <summary>Where a pair's video comes from; <see cref="Load"/> returns the same pixels every time.</summary>
public abstract class VideoSource
{
    /// <summary>The video, already resampled to the pair set's shape.</summary>
    public abstract Video Load();

    /// <summary>A short description for messages: a path, or the world generator and seed.</summary>
    public abstract string Description { get; }

    /// <summary>
    /// Copies the video's bytes (C, T, H, W; b stands for b / 255) when it is kept as bytes, in a decoded-video store;
    /// false for a video kept as floats.
    /// </summary>
    public virtual bool TryCopyBytes(Span<byte> destination) => false;

    /// <inheritdoc />
    public override string ToString() => Description;
}

/// <summary>A video read into floats when the pair file was loaded (a .npy array, kept at its precision).</summary>
public sealed class DecodedVideo(string path, Video video) : VideoSource
{
    /// <summary>The absolute path of the file.</summary>
    public string Path { get; } = path;

    /// <inheritdoc />
    public override Video Load() => video;

    /// <inheritdoc />
    public override string Description => Path;
}

/// <summary>
/// A video decoded by ffmpeg into a <see cref="VideoStore"/>: its pixels stay there as bytes, memory-mapped, and
/// <see cref="Load"/> converts them to floats on each call (nothing is kept, so memory does not grow with the data set).
/// </summary>
public sealed class StoredVideo(string path, VideoStore store, VideoStoreEntry entry) : VideoSource
{
    /// <summary>The absolute path of the file.</summary>
    public string Path { get; } = path;

    /// <inheritdoc />
    public override Video Load()
    {
        var bytes = new byte[store.SlotBytes];
        store.Read(entry, bytes);
        var data = new float[bytes.Length];
        PixelBytes.ToFloats(bytes, data);
        return new Video(store.Sampling.Shape, data);
    }

    /// <inheritdoc />
    public override bool TryCopyBytes(Span<byte> destination)
    {
        store.Read(entry, destination);
        return true;
    }

    /// <inheritdoc />
    public override string Description => Path;
}

/// <summary>A synthetic-world video, rendered on first use and then kept.</summary>
public sealed class RenderedVideo : VideoSource
{
    private readonly Lazy<Video> _video;

    /// <summary>The video <paramref name="world"/> renders for (prompt, generator, seed).</summary>
    public RenderedVideo(SyntheticWorld world, SyntheticPrompt prompt, int generator, int seed)
    {
        ArgumentNullException.ThrowIfNull(world);
        Generator = generator;
        Seed = seed;
        _video = new Lazy<Video>(() => world.Render(prompt, generator, seed));
    }

    /// <summary>The world generator that renders it.</summary>
    public int Generator { get; }

    /// <summary>The render seed.</summary>
    public int Seed { get; }

    /// <inheritdoc />
    public override Video Load() => _video.Value;

    /// <inheritdoc />
    public override string Description => $"world generator {Generator}, seed {Seed}";
}

/// <summary>
/// One preference pair: a prompt, two videos, a label per kept dimension, and the extra columns of its source row.
/// </summary>
/// <param name="Prompt">The prompt text.</param>
/// <param name="VideoA">Video A.</param>
/// <param name="VideoB">Video B.</param>
/// <param name="Labels">The label of each kept dimension.</param>
/// <param name="Extras">Extra columns of the source row (for example fps_A, num_frames_A), by column name.</param>
/// <param name="Origin">Where the pair came from: "file:line", or "world pair i".</param>
public sealed record PreferencePair(
    string Prompt,
    VideoSource VideoA,
    VideoSource VideoB,
    IReadOnlyDictionary<PreferenceDimension, PreferenceLabel> Labels,
    IReadOnlyDictionary<string, string> Extras,
    string Origin)
{
    /// <summary>Per-video target scores of video A by dimension (a file's MOS_A_{dim}; the oracle's z-scores in the world), or null.</summary>
    public IReadOnlyDictionary<PreferenceDimension, float>? TargetsA { get; init; }

    /// <summary>Per-video target scores of video B by dimension, or null.</summary>
    public IReadOnlyDictionary<PreferenceDimension, float>? TargetsB { get; init; }
}

/// <summary>Keep or drop tied pairs (the catalogue's <c>ties = keep | drop</c>).</summary>
public enum TieHandling
{
    /// <summary>Keep every pair.</summary>
    Keep,

    /// <summary>Drop a pair when every kept dimension is a tie (the paper repository's <c>use_tied_data False</c>).</summary>
    Drop,
}
