namespace Pipeline.Runtime.Core;

/// <summary>
/// A judge of videos (the Judge and RewardModel artifacts): raw scores per dimension, and the statistics that
/// z-normalise them, so evaluations can form the contract's Overall score (the mean of the per-dimension z-scores).
/// The oracle implements it with its reference-set statistics (<c>OracleJudge</c>); a reward model
/// implements it with the mean and standard deviation of its raw scores on its evaluation split.
/// </summary>
public interface IVideoJudge
{
    /// <summary>The dimensions it scores, in the order of <see cref="Score"/>'s rows, e.g. VQ, MQ, TA.</summary>
    IReadOnlyList<string> Dimensions { get; }

    /// <summary>Per dimension, the mean raw score used for z-normalisation.</summary>
    IReadOnlyList<double> Mean { get; }

    /// <summary>Per dimension, the (positive) standard deviation of raw scores used for z-normalisation.</summary>
    IReadOnlyList<double> StandardDeviation { get; }

    /// <summary>Raw scores [dimension][video] of videos for their prompts (same length lists); deterministic.</summary>
    double[][] Score(IReadOnlyList<Video> videos, IReadOnlyList<string> prompts);
}
