using Pipeline.Runtime.Data;
using Pipeline.Runtime.Data.Evaluation;

namespace Pipeline.Runtime.Tests.Evaluation;

public class PairwiseAccuracyTests
{
    private const PreferenceLabel A = PreferenceLabel.A, B = PreferenceLabel.B, T = PreferenceLabel.Tie;

    [Fact]
    public void Without_ties_ignores_human_ties_and_counts_exact_zero_as_discordant()
    {
        // Non-tie pairs: (A, 0.5) C, (B, -1) C, (A, -0.2) D, (B, 0) D → 2 / 4.
        PreferenceLabel[] labels = [A, B, A, B, T, T];
        double[] margins = [0.5, -1, -0.2, 0, 3, 0];
        Assert.Equal(0.5, PairwiseAccuracy.WithoutTies(labels, margins), 12);
    }

    [Fact]
    public void Without_ties_is_NaN_when_every_label_is_a_tie()
    {
        Assert.True(double.IsNaN(PairwiseAccuracy.WithoutTies([T, T], [1.0, -1.0])));
    }

    [Fact]
    public void With_ties_picks_the_threshold_that_maximises_accuracy()
    {
        // |m| sorted: 0.1 (T), 0.2 (T), 0.3 (A, +), 0.4 (T), 0.9 (B, -), 1.5 (A, -).
        // ε below all:  C = 2 (0.3, 0.9), Thm = 0 → 2/6.
        // ε = 0.1: C 2, Thm 1 → 3/6.  ε = 0.2: C 2, Thm 2 → 4/6.  ε = 0.3: C 1, Thm 2 → 3/6.
        // ε = 0.4: C 1, Thm 3 → 4/6.  ε = 0.9: C 0, Thm 3 → 3/6.  ε = 1.5: 3/6.
        // Best 4/6, first reached at ε = 0.2.
        PreferenceLabel[] labels = [A, T, B, T, A, T];
        double[] margins = [0.3, 0.1, -0.9, -0.2, -1.5, 0.4];
        var result = PairwiseAccuracy.WithTies(labels, margins);
        Assert.Equal(4.0 / 6, result.Accuracy, 12);
        Assert.Equal(0.2, result.Threshold, 12);
        Assert.Equal(6, result.Count);
        Assert.Equal(result.Accuracy, PairwiseAccuracy.WithTiesAt(labels, margins, result.Threshold), 12);
    }

    [Fact]
    public void With_ties_and_no_human_ties_keeps_epsilon_zero()
    {
        // A perfect model on tie-free labels: no model tie is best, so ε = 0 and accuracy 1.
        var result = PairwiseAccuracy.WithTies([A, B, A], [0.5, -0.1, 2.0]);
        Assert.Equal(1.0, result.Accuracy, 12);
        Assert.Equal(0.0, result.Threshold);
    }

    [Fact]
    public void Exact_zero_margins_are_model_ties_at_epsilon_zero()
    {
        // Margins 0 with human ties: at ε = 0 both are model ties → Thm = 2; (A, 0.7) C → 3/4; (B, 0) stays unmatched.
        var result = PairwiseAccuracy.WithTies([T, T, A, B], [0.0, 0.0, 0.7, 0.0]);
        Assert.Equal(0.75, result.Accuracy, 12);
        Assert.Equal(0.0, result.Threshold);
    }

    [Fact]
    public void Equal_magnitudes_become_ties_together()
    {
        // |m| = 0.5 for a human tie and a concordant A: they cannot be separated, so ε = 0.5 gives (0 + 1) / 2,
        // the same as ε below 0.5 gives (1 + 0) / 2; the smallest threshold wins.
        var result = PairwiseAccuracy.WithTies([T, A], [-0.5, 0.5]);
        Assert.Equal(0.5, result.Accuracy, 12);
        Assert.Equal(0.0, result.Threshold);
    }

    [Fact]
    public void With_ties_matches_a_brute_force_sweep_on_random_data()
    {
        var rng = new SeededRandom(5);
        for (var trial = 0; trial < 50; trial++)
        {
            var n = 1 + rng.NextInt(40);
            var labels = new PreferenceLabel[n];
            var margins = new double[n];
            for (var i = 0; i < n; i++)
            {
                labels[i] = (PreferenceLabel)(rng.NextInt(3) - 1);
                margins[i] = Math.Round(rng.NextGaussian(), 1); // rounding makes repeated |m| and exact zeros
            }

            var best = PairwiseAccuracy.WithTiesAt(labels, margins, 0);
            foreach (var m in margins)
            {
                best = Math.Max(best, PairwiseAccuracy.WithTiesAt(labels, margins, Math.Abs(m)));
            }

            Assert.Equal(best, PairwiseAccuracy.WithTies(labels, margins).Accuracy, 12);
        }
    }

    [Fact]
    public void Mismatched_lengths_are_rejected()
    {
        Assert.Throws<ArgumentException>(() => PairwiseAccuracy.WithoutTies([A], [1.0, 2.0]));
    }
}
