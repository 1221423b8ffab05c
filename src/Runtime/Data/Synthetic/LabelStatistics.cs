using Pipeline.Runtime.Data.Evaluation;

namespace Pipeline.Runtime.Data.Synthetic;

/// <summary>Label statistics of one dimension: how often the annotator said tie, and how well the oracle agrees.</summary>
/// <param name="Dimension">The dimension.</param>
/// <param name="Count">Number of pairs.</param>
/// <param name="TieRate">Fraction of pairs labelled tie.</param>
/// <param name="OracleAccuracyWithoutTies">The oracle's pairwise accuracy without ties (its z-score difference as the margin): the ceiling a reward model can reach.</param>
/// <param name="OracleAccuracyWithTies">The oracle's accuracy with ties, by tie calibration.</param>
public sealed record DimensionLabelStatistics(PreferenceDimension Dimension, int Count, double TieRate, double OracleAccuracyWithoutTies, double OracleAccuracyWithTies);

/// <summary>The label statistics of synthetic pairs, as <c>pipeline run</c> prints them and results.json's <c>oracle_accuracy</c> records them.</summary>
public static class LabelStatistics
{
    /// <summary>Statistics per dimension of <paramref name="pairs"/> (VQ, MQ, TA and Overall by default).</summary>
    public static IReadOnlyList<DimensionLabelStatistics> Compute(IReadOnlyList<SyntheticPair> pairs, IReadOnlyList<PreferenceDimension>? dimensions = null)
    {
        ArgumentNullException.ThrowIfNull(pairs);
        dimensions ??= Enum.GetValues<PreferenceDimension>();
        var result = new List<DimensionLabelStatistics>();
        foreach (var dimension in dimensions)
        {
            var labels = pairs.Select(p => p.Labels[dimension]).ToArray();
            var margins = pairs.Select(p => p.ScoresA[dimension] - p.ScoresB[dimension]).ToArray();
            var ties = labels.Count(l => l == PreferenceLabel.Tie);
            result.Add(new DimensionLabelStatistics(
                dimension,
                pairs.Count,
                pairs.Count == 0 ? double.NaN : ties / (double)pairs.Count,
                PairwiseAccuracy.WithoutTies(labels, margins),
                PairwiseAccuracy.WithTies(labels, margins).Accuracy));
        }

        return result;
    }
}
