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
        // |m| sorted: 0.1 (T), 0.2 (T), 0.3 (A, +), 0.4 (T), 0.9 (B, -), 1.5 (A, -); C = 2 (0.3, 0.9) before any tie.
        // After 0.1: C 2, Thm 1 → 3/6.  0.2: C 2, Thm 2 → 4/6.  0.3: C 1, Thm 2 → 3/6.
        // 0.4: C 1, Thm 3 → 4/6.  0.9: C 0, Thm 3 → 3/6.  1.5: 3/6.  Best 4/6, first reached at ε = 0.2.
        PreferenceLabel[] labels = [A, T, B, T, A, T];
        double[] margins = [0.3, 0.1, -0.9, -0.2, -1.5, 0.4];
        var result = PairwiseAccuracy.WithTies(labels, margins);
        Assert.Equal(4.0 / 6, result.Accuracy, 12);
        Assert.Equal(0.2, result.Threshold, 12);
        Assert.Equal(6, result.Count);
    }

    [Fact]
    public void With_ties_never_scores_the_state_without_model_ties_as_the_official_code()
    {
        // calc_accuracy.py scores only after the first pair has become a model tie. A perfect model on tie-free labels:
        // |m| 0.1 (B, -), 0.5 (A, +), 2.0 (A, +); after 0.1: C = 2 → 2/3; after 0.5: 1/3; after 2.0: 0 → 2/3 at ε = 0.1.
        // (Before, the no-tie state was scored too and gave 1.)
        var result = PairwiseAccuracy.WithTies([A, B, A], [0.5, -0.1, 2.0]);
        Assert.Equal(2.0 / 3, result.Accuracy, 12);
        Assert.Equal(0.1, result.Threshold, 12);
    }

    [Fact]
    public void Exact_zero_margins_are_the_first_model_ties()
    {
        // Stable order by |m|: 0 (T), 0 (T), 0 (B), 0.7 (A); C = 1 (the A) before any tie.
        // After the first 0: Thm 1 → 2/4; the second: Thm 2 → 3/4; the B (was D): 3/4; the A: C 0 → 2/4. Best 3/4 at 0.
        var result = PairwiseAccuracy.WithTies([T, T, A, B], [0.0, 0.0, 0.7, 0.0]);
        Assert.Equal(0.75, result.Accuracy, 12);
        Assert.Equal(0.0, result.Threshold);
    }

    [Theory]
    [InlineData(true, 1.0)]
    [InlineData(false, 0.5)]
    public void Equal_magnitudes_become_ties_one_at_a_time_in_file_order(bool tieFirst, double expected)
    {
        // |m| = 0.5 for a human tie and a concordant A. The official code makes them model ties one by one, in the
        // order the file lists them: tie first → after it Thm 1 and C 1 → 2/2 (then 1/2); A first → 0/2, then 1/2.
        var result = tieFirst ? PairwiseAccuracy.WithTies([T, A], [-0.5, 0.5]) : PairwiseAccuracy.WithTies([A, T], [0.5, -0.5]);
        Assert.Equal(expected, result.Accuracy, 12);
        Assert.Equal(0.5, result.Threshold);
    }

    [Fact]
    public void Mismatched_lengths_are_rejected()
    {
        Assert.Throws<ArgumentException>(() => PairwiseAccuracy.WithoutTies([A], [1.0, 2.0]));
    }
}
