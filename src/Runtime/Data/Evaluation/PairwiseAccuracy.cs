namespace Pipeline.Runtime.Data.Evaluation;

/// <summary>The result of tie calibration: the best accuracy with ties and the threshold ε that gives it.</summary>
/// <param name="Accuracy">The official evaluation's accuracy with ties (<see cref="PairwiseAccuracy.WithTies"/>), a fraction in [0, 1].</param>
/// <param name="Threshold">ε*: the |m| of the pair after which that accuracy was first reached.</param>
/// <param name="Count">N, the number of pairs.</param>
public readonly record struct TieCalibration(double Accuracy, double Threshold, int Count);

/// <summary>
/// The pairwise accuracies of the paper (§2.5, App. H.3), exactly as the VideoAlign repository's calc_accuracy.py
/// computes them. Inputs per pair are the human label h ∈ {A = +1, B = −1, tie = 0} and the model's margin
/// m = score(A) − score(B).
/// </summary>
public static class PairwiseAccuracy
{
    /// <summary>
    /// Accuracy without ties: C / (C + D) over the pairs whose human label is not a tie, where C counts h·m &gt; 0
    /// and D counts the rest; an exact m = 0 counts as D. NaN when every label is a tie (the official code divides by zero).
    /// </summary>
    public static double WithoutTies(ReadOnlySpan<PreferenceLabel> labels, ReadOnlySpan<double> margins)
    {
        CheckLengths(labels, margins);
        int concordant = 0, decided = 0;
        for (var i = 0; i < labels.Length; i++)
        {
            if (labels[i] == PreferenceLabel.Tie)
            {
                continue;
            }

            decided++;
            if ((int)labels[i] * margins[i] > 0)
            {
                concordant++;
            }
        }

        return decided == 0 ? double.NaN : concordant / (double)decided;
    }

    /// <summary>
    /// Accuracy with ties as calc_accuracy.py's <c>calc_accuracy_with_ties</c> computes it (tie calibration after
    /// Deutsch, Foster and Freitag 2023): the pairs are sorted by |m| (a stable sort, as Python's), and one at a time,
    /// in that order, each becomes a model tie; after each the accuracy (C + T_hm) / N over all N pairs is taken, where C
    /// counts the pairs not yet model ties with h·m &gt; 0 and T_hm the model ties that are human ties. The result is the
    /// maximum, first reached. Two consequences, kept because they are the official figures: the state with no model
    /// tie at all is never scored, so a model that predicts no ties is scored as if it predicted one (on labels
    /// without ties a perfect model gets (N − 1)/N); and pairs of equal |m| become ties one by one, in their order in
    /// the file, so a duplicated pair can be half tie, half not. O(N log N). NaN for no pairs.
    /// </summary>
    /// <exception cref="ArgumentException">A margin is NaN (a non-finite score; callers reject those first).</exception>
    public static TieCalibration WithTies(ReadOnlySpan<PreferenceLabel> labels, ReadOnlySpan<double> margins)
    {
        CheckLengths(labels, margins);
        var n = labels.Length;
        if (n == 0)
        {
            return new TieCalibration(double.NaN, 0, 0);
        }

        var magnitudes = new double[n];
        var concordant = 0;
        for (var i = 0; i < n; i++)
        {
            if (double.IsNaN(margins[i]))
            {
                throw new ArgumentException($"Margin {i} is NaN.", nameof(margins));
            }

            magnitudes[i] = Math.Abs(margins[i]);
            if (labels[i] != PreferenceLabel.Tie && (int)labels[i] * margins[i] > 0)
            {
                concordant++;
            }
        }

        // Stable: equal magnitudes keep the file's order, as Python's sorted() does.
        var order = Enumerable.Range(0, n).OrderBy(i => magnitudes[i]).ToArray();
        var bothTie = 0;
        var bestHits = -1;
        var bestThreshold = 0.0;
        foreach (var i in order)
        {
            if (labels[i] == PreferenceLabel.Tie)
            {
                bothTie++;
            }
            else if ((int)labels[i] * margins[i] > 0)
            {
                concordant--;
            }

            if (concordant + bothTie > bestHits)
            {
                bestHits = concordant + bothTie;
                bestThreshold = magnitudes[i];
            }
        }

        return new TieCalibration(bestHits / (double)n, bestThreshold, n);
    }

    private static void CheckLengths(ReadOnlySpan<PreferenceLabel> labels, ReadOnlySpan<double> margins)
    {
        if (labels.Length != margins.Length)
        {
            throw new ArgumentException($"{labels.Length} labels but {margins.Length} margins.", nameof(margins));
        }
    }
}
