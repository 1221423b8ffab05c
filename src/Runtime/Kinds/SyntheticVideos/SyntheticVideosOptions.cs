using Pipeline.Runtime.Data.Synthetic;

namespace Pipeline.Runtime.Kinds.SyntheticVideos;

/// <summary>
/// Options of the <c>synthetic_videos</c> stage. Property names are the PascalCase of the DSL property names
/// (<c>tie_threshold</c> → <see cref="TieThreshold"/>).
/// </summary>
/// <remarks>Defaults come from the catalogue (src/Catalog/Kinds/DataKinds.cs), measured for a 2-core CPU budget.</remarks>
public sealed class SyntheticVideosOptions : StageOptions, ISyntheticWorldSettings
{
    public SyntheticVideosOptions()
        : base("synthetic_videos")
    {
    }

    /// <summary>Number of training prompts (distinct attribute combinations). Default 256.</summary>
    public int Prompts { get; set; }

    /// <summary>Number of evaluation prompts, disjoint from the training prompts. Default 64.</summary>
    public int EvalPrompts { get; set; }

    /// <summary>Frames per video. Default 8.</summary>
    public int Frames { get; set; }

    /// <summary>Frame size as [height, width] in pixels. Default [16, 16].</summary>
    public int[] Resolution { get; set; } = [];

    /// <summary>Number of procedural generators K, from clearly best (0) to clearly worst (K−1). Default 6.</summary>
    public int Generators { get; set; }

    /// <summary>Videos per (training prompt, generator) in the world's video set <c>.videos</c>. Default 1.</summary>
    public int Samples { get; set; }

    /// <summary>Standard deviation of the annotator's Gaussian noise on the z-normalised oracle score difference. Default 0.5.</summary>
    public double AnnotatorNoise { get; set; }

    /// <summary>The annotator answers "tie" when the noisy z-score difference is below this in absolute value. Default 0.4.</summary>
    public double TieThreshold { get; set; }
}
