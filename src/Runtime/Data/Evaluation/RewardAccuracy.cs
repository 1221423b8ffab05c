namespace Pipeline.Runtime.Data.Evaluation;

/// <summary>The two pairwise accuracies of one dimension, as results.json writes them.</summary>
/// <param name="WithTies">Accuracy with ties by tie calibration (<see cref="PairwiseAccuracy.WithTies"/>).</param>
/// <param name="WithoutTies">Accuracy without ties (<see cref="PairwiseAccuracy.WithoutTies"/>).</param>
/// <param name="Threshold">The tie threshold ε chosen by the calibration.</param>
/// <param name="Pairs">Pairs with a known label.</param>
/// <param name="Ties">Of those, human ties.</param>
public sealed record DimensionAccuracy(double WithTies, double WithoutTies, double Threshold, int Pairs, int Ties)
{
    /// <summary>The accuracies of margins m_i = score(A) − score(B) against labels h_i.</summary>
    public static DimensionAccuracy Of(ReadOnlySpan<PreferenceLabel> labels, ReadOnlySpan<double> margins)
    {
        var calibrated = PairwiseAccuracy.WithTies(labels, margins);
        var ties = 0;
        foreach (var label in labels)
        {
            ties += label == PreferenceLabel.Tie ? 1 : 0;
        }

        return new DimensionAccuracy(calibrated.Accuracy, PairwiseAccuracy.WithoutTies(labels, margins), calibrated.Threshold, labels.Length, ties);
    }

    /// <summary>The results.json entry: <c>{"with_ties": …, "without_ties": …}</c>, rounded to 4 decimals.</summary>
    public SortedDictionary<string, object?> ToResult() => new(StringComparer.Ordinal)
    {
        ["with_ties"] = Round(WithTies),
        ["without_ties"] = Round(WithoutTies),
    };

    private static double? Round(double value) => double.IsNaN(value) ? null : Math.Round(value, 4);
}

/// <summary>Accuracies of per-video scores on labelled pairs, per dimension (the paper's §2.5 metrics).</summary>
public static class RewardAccuracy
{
    /// <summary>
    /// For each dimension: the accuracies of margins <c>scoreA(d) − scoreB(d)</c> against the labels; pairs whose label
    /// is null (unknown) are left out.
    /// </summary>
    public static SortedDictionary<string, DimensionAccuracy> Evaluate(
        IReadOnlyList<string> dimensions,
        Func<int, string, PreferenceLabel?> label,
        Func<int, string, double> scoreA,
        Func<int, string, double> scoreB,
        int pairs)
    {
        var result = new SortedDictionary<string, DimensionAccuracy>(StringComparer.Ordinal);
        foreach (var dimension in dimensions)
        {
            var labels = new List<PreferenceLabel>();
            var margins = new List<double>();
            for (var i = 0; i < pairs; i++)
            {
                if (label(i, dimension) is { } h)
                {
                    labels.Add(h);
                    margins.Add(scoreA(i, dimension) - scoreB(i, dimension));
                }
            }

            result[dimension] = DimensionAccuracy.Of(labels.ToArray(), margins.ToArray());
        }

        return result;
    }

    /// <summary>The results.json section of one judge: dimension → {with_ties, without_ties}.</summary>
    public static SortedDictionary<string, object?> ToResult(IReadOnlyDictionary<string, DimensionAccuracy> accuracies)
    {
        var section = new SortedDictionary<string, object?>(StringComparer.Ordinal);
        foreach (var (dimension, accuracy) in accuracies)
        {
            section[dimension] = accuracy.ToResult();
        }

        return section;
    }
}
