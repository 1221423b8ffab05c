using Pipeline.Runtime.Data;

namespace Pipeline.Runtime.Stages;

/// <summary>
/// Options of the <c>synthetic_videos</c> stage. Property names are the PascalCase of the DSL property names
/// (<c>tie_threshold</c> → <see cref="TieThreshold"/>).
/// </summary>
/// <remarks>Defaults come from the catalogue (src/Catalog/Kinds/DataKinds.cs), measured for a 2-core CPU budget.</remarks>
public sealed class SyntheticVideosOptions : StageOptions
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

    /// <summary>Throws <see cref="ArgumentException"/> naming the first invalid option.</summary>
    public void Validate()
    {
        static void Positive(int value, string name)
        {
            if (value <= 0)
            {
                throw new ArgumentException($"synthetic_videos: {name} must be positive, got {value}.", name);
            }
        }

        Positive(Prompts, nameof(Prompts));
        Positive(EvalPrompts, nameof(EvalPrompts));
        Positive(Frames, nameof(Frames));
        Positive(Samples, nameof(Samples));
        if (Frames < 2)
        {
            throw new ArgumentException("synthetic_videos: Frames must be at least 2 so that objects move.", nameof(Frames));
        }

        if (Generators < 2)
        {
            throw new ArgumentException($"synthetic_videos: Generators must be at least 2 (pairs come from different generators), got {Generators}.", nameof(Generators));
        }

        if (Resolution is not { Length: 2 } || Resolution[0] < 8 || Resolution[1] < 8)
        {
            throw new ArgumentException("synthetic_videos: Resolution must be [height, width] with both at least 8.", nameof(Resolution));
        }

        if (Prompts + EvalPrompts > SyntheticVocabulary.PromptCount)
        {
            throw new ArgumentException(
                $"synthetic_videos: Prompts + EvalPrompts = {Prompts + EvalPrompts} exceeds the {SyntheticVocabulary.PromptCount} distinct prompts the vocabulary can make.",
                nameof(Prompts));
        }

        if (!(AnnotatorNoise >= 0) || double.IsInfinity(AnnotatorNoise))
        {
            throw new ArgumentException("synthetic_videos: AnnotatorNoise must be a finite number ≥ 0.", nameof(AnnotatorNoise));
        }

        if (!(TieThreshold >= 0) || double.IsInfinity(TieThreshold))
        {
            throw new ArgumentException("synthetic_videos: TieThreshold must be a finite number ≥ 0.", nameof(TieThreshold));
        }
    }
}
