using Pipeline.Runtime.Data;
using Pipeline.Runtime.Data.Evaluation;

namespace Pipeline.Runtime.Tests.Reward;

/// <summary>The per-dimension accuracies the stage and reward-bench report, on hand-worked cases.</summary>
public sealed class DimensionAccuracyTests
{
    [Fact]
    public void Both_accuracies_and_the_chosen_threshold_match_the_hand_computation()
    {
        // Labels A, A, same, B, B, same; margins +2, −1, +0.5, 0, −3, +0.2.
        // Without ties: pairs 1 ✓, 2 ✗, 4 ✗ (an exact zero counts as discordant), 5 ✓ → 1/2.
        // With ties (calc_accuracy.py: pairs become model ties one by one in order of |m|): after 0, 0.2, 0.5, 1, 2, 3
        // the accuracy is 2/6, 3/6, 4/6, 4/6, 3/6, 2/6 → 4/6, first reached at ε = 0.5.
        PreferenceLabel[] labels = { PreferenceLabel.A, PreferenceLabel.A, PreferenceLabel.Tie, PreferenceLabel.B, PreferenceLabel.B, PreferenceLabel.Tie };
        double[] margins = { 2, -1, 0.5, 0, -3, 0.2 };

        var accuracy = DimensionAccuracy.Of(labels, margins);

        Assert.Equal(0.5, accuracy.WithoutTies, 12);
        Assert.Equal(4.0 / 6, accuracy.WithTies, 12);
        Assert.Equal(0.5, accuracy.Threshold);
        Assert.Equal(6, accuracy.Pairs);
        Assert.Equal(2, accuracy.Ties);
        Assert.Equal(0.6667, accuracy.ToResult()["with_ties"]);
        Assert.Equal(0.5, accuracy.ToResult()["without_ties"]);
    }

    [Fact]
    public void A_prompt_only_judge_with_zero_margins_scores_zero_without_ties_and_the_tie_share_with_ties()
    {
        PreferenceLabel[] labels = { PreferenceLabel.A, PreferenceLabel.Tie, PreferenceLabel.B, PreferenceLabel.A };

        var accuracy = DimensionAccuracy.Of(labels, new double[4]);

        Assert.Equal(0, accuracy.WithoutTies);
        // Every pair becomes a model tie in turn (all |m| = 0): only the human tie is ever right, 1/4.
        Assert.Equal(0.25, accuracy.WithTies);
    }
}
