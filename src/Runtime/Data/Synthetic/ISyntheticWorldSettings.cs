namespace Pipeline.Runtime.Data.Synthetic;

/// <summary>
/// What the synthetic world is made from. The <c>synthetic_videos</c> stage's options implement it: the data layer
/// knows no stage kinds, so the world reads its settings through this interface.
/// </summary>
public interface ISyntheticWorldSettings
{
    /// <summary>Number of training prompts (distinct attribute combinations).</summary>
    int Prompts { get; }

    /// <summary>Number of evaluation prompts, disjoint from the training prompts.</summary>
    int EvalPrompts { get; }

    /// <summary>Frames per video.</summary>
    int Frames { get; }

    /// <summary>Frame size as [height, width] in pixels.</summary>
    IReadOnlyList<int> Resolution { get; }

    /// <summary>Number of procedural generators K, from clearly best (0) to clearly worst (K−1).</summary>
    int Generators { get; }

    /// <summary>Videos per (training prompt, generator) in the world's video set.</summary>
    int Samples { get; }

    /// <summary>Standard deviation of the annotator's Gaussian noise on the z-normalised oracle score difference.</summary>
    double AnnotatorNoise { get; }

    /// <summary>The annotator answers "tie" when the noisy z-score difference is below this in absolute value.</summary>
    double TieThreshold { get; }
}
