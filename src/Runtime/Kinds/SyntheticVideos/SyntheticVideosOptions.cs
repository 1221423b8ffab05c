using Pipeline.Runtime.Data.Synthetic;

namespace Pipeline.Runtime.Kinds.SyntheticVideos;

/// <summary>
/// Options of the <c>synthetic_videos</c> stage. Property names are the PascalCase of the DSL property names
/// (<c>tie_threshold</c> → <see cref="TieThreshold"/>).
/// </summary>
/// <remarks>Defaults are the catalogue's (src/Catalog/Kinds/DataKinds.cs), measured for a 2-core CPU budget.</remarks>
public sealed record SyntheticVideosOptions : StageOptions, ISyntheticWorldSettings
{
    /// <summary>Number of training prompts (distinct attribute combinations).</summary>
    public required int Prompts { get; set; }

    /// <summary>Number of evaluation prompts, disjoint from the training prompts.</summary>
    public required int EvalPrompts { get; set; }

    /// <summary>Frames per video.</summary>
    public required int Frames { get; set; }

    /// <summary>Frame size as [height, width] in pixels.</summary>
    public required IReadOnlyList<int> Resolution { get; set; }

    /// <summary>Number of procedural generators K, from clearly best (0) to clearly worst (K−1).</summary>
    public required int Generators { get; set; }

    /// <summary>Videos per (training prompt, generator) in the world's video set <c>.videos</c>.</summary>
    public required int Samples { get; set; }

    /// <summary>Standard deviation of the annotator's Gaussian noise on the z-normalised oracle score difference.</summary>
    public required double AnnotatorNoise { get; set; }

    /// <summary>The annotator answers "tie" when the noisy z-score difference is below this in absolute value.</summary>
    public required double TieThreshold { get; set; }
}
