namespace Pipeline.Runtime.Data.Evaluation;

/// <summary>The result of tie calibration: the best accuracy with ties and the threshold ε that gives it.</summary>
/// <param name="Accuracy">max over ε of (C + T_hm) / N, a fraction in [0, 1].</param>
/// <param name="Threshold">The smallest ε reaching that accuracy; the model predicts a tie when |m| ≤ ε.</param>
/// <param name="Count">N, the number of pairs.</param>
public readonly record struct TieCalibration(double Accuracy, double Threshold, int Count);

/// <summary>
/// The pairwise accuracies of the paper (§2.5, App. H.3, the repository's calc_accuracy.py). Inputs per pair are the
/// human label h ∈ {A = +1, B = −1, tie = 0} and the model's margin m = score(A) − score(B).
/// </summary>
public static class PairwiseAccuracy
{
    /// <summary>
    /// Accuracy without ties: C / (C + D) over the pairs whose human label is not a tie, where C counts h·m &gt; 0
    /// and D counts the rest; an exact m = 0 counts as D. NaN when every label is a tie.
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
    /// Accuracy with ties by tie calibration (Deutsch, Foster and Freitag 2023, Alg. 1). For a threshold ε the model
    /// predicts a tie when |m| ≤ ε; acc(ε) = (C + T_hm) / N over all N pairs, where C counts pairs both call a win
    /// for the same video and T_hm pairs both call a tie. ε is swept over 0 and every observed |m_i| (ε = 0 is the
    /// uncalibrated metric: only exact zeros are model ties), by sorting on |m| and updating the counts as each group
    /// of equal |m| becomes model ties: O(N log N). Returns the maximum and the smallest ε attaining it.
    /// NaN accuracy for no pairs.
    /// </summary>
    public static TieCalibration WithTies(ReadOnlySpan<PreferenceLabel> labels, ReadOnlySpan<double> margins)
    {
        CheckLengths(labels, margins);
        var n = labels.Length;
        if (n == 0)
        {
            return new TieCalibration(double.NaN, 0, 0);
        }

        var order = new int[n];
        var magnitudes = new double[n];
        var concordant = 0;
        for (var i = 0; i < n; i++)
        {
            if (double.IsNaN(margins[i]))
            {
                throw new ArgumentException($"Margin {i} is NaN.", nameof(margins));
            }

            order[i] = i;
            magnitudes[i] = Math.Abs(margins[i]);
            if (labels[i] != PreferenceLabel.Tie && (int)labels[i] * margins[i] > 0)
            {
                concordant++;
            }
        }

        Array.Sort((double[])magnitudes.Clone(), order);

        // ε below every |m|: no model ties (identical to ε = 0 when no margin is exactly 0).
        var bothTie = 0;
        var bestHits = concordant;
        var bestThreshold = 0.0;
        var k = 0;
        while (k < n)
        {
            var epsilon = magnitudes[order[k]];
            for (; k < n && magnitudes[order[k]] == epsilon; k++)
            {
                var i = order[k];
                if (labels[i] == PreferenceLabel.Tie)
                {
                    bothTie++;
                }
                else if ((int)labels[i] * margins[i] > 0)
                {
                    concordant--;
                }
            }

            if (concordant + bothTie > bestHits)
            {
                bestHits = concordant + bothTie;
                bestThreshold = epsilon;
            }
        }

        return new TieCalibration(bestHits / (double)n, bestThreshold, n);
    }

    /// <summary>The accuracy with ties at a fixed threshold ε (model tie when |m| ≤ ε): (C + T_hm) / N.</summary>
    public static double WithTiesAt(ReadOnlySpan<PreferenceLabel> labels, ReadOnlySpan<double> margins, double epsilon)
    {
        CheckLengths(labels, margins);
        if (labels.Length == 0)
        {
            return double.NaN;
        }

        var hits = 0;
        for (var i = 0; i < labels.Length; i++)
        {
            var modelTie = Math.Abs(margins[i]) <= epsilon;
            if (labels[i] == PreferenceLabel.Tie ? modelTie : !modelTie && (int)labels[i] * margins[i] > 0)
            {
                hits++;
            }
        }

        return hits / (double)labels.Length;
    }

    private static void CheckLengths(ReadOnlySpan<PreferenceLabel> labels, ReadOnlySpan<double> margins)
    {
        if (labels.Length != margins.Length)
        {
            throw new ArgumentException($"{labels.Length} labels but {margins.Length} margins.", nameof(margins));
        }
    }
}
