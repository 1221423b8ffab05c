using Pipeline.Runtime.Kinds.SyntheticVideos;

namespace Pipeline.Runtime.Kinds.PreferencePairs;

/// <summary>
/// Where a <c>preference_pairs</c> stage's pairs come from: the world's labelled pairs (<c>world.pairs(count: N)</c>)
/// or a CSV/JSONL file in the VideoGen-RewardBench columns. Each converts to it implicitly, so generated code assigns
/// either as it is.
/// </summary>
public sealed class PairSource
{
    private PairSource(SyntheticPairSource? world, string? path)
    {
        World = world;
        Path = path;
    }

    /// <summary>The world's pairs; null for a file.</summary>
    public SyntheticPairSource? World { get; }

    /// <summary>The file's path as written, relative to the experiment file; null for the world's pairs.</summary>
    public string? Path { get; }

    public static implicit operator PairSource(SyntheticPairSource world) => new(world, null);

    public static implicit operator PairSource(string path) => new(null, path);
}
