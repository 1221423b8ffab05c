using Pipeline.Runtime.Torch;
using static TorchSharp.torch;

namespace Pipeline.Runtime.Tests.Reward;

/// <summary>The reward losses against values worked out by hand or from the closed-form Rao-Kupper probabilities.</summary>
public sealed class RewardLossTests
{
    [Fact]
    public void Bt_masks_ties_but_counts_them_in_the_denominator()
    {
        // Elements: (Δ = 2, A) → ln(1 + e^−2); (0, tie) → 0; (−1, A) → ln(1 + e); (3, B) → ln(1 + e^3); mean over all 4.
        using var margins = tensor(new float[] { 2, 0, -1, 3 }, new long[] { 2, 2 });
        using var labels = tensor(new float[] { 1, 0, 1, -1 }, new long[] { 2, 2 });
        var expected = (Math.Log(1 + Math.Exp(-2)) + 0 + Math.Log(1 + Math.E) + Math.Log(1 + Math.Exp(3))) / 4;

        using var loss = RewardLosses.BradleyTerry(margins, labels);

        Assert.Equal(expected, loss.item<float>(), 5);
    }

    [Fact]
    public void Centring_is_half_the_weighted_mean_squares_and_is_what_sees_a_shift_shared_by_both_videos()
    {
        // Means of squares: A (1 + 4 + 9 + 16) / 4 = 7.5, B (0 + 1 + 1 + 4) / 4 = 1.5; γ = 0.1 → 0.1 · 9 / 2 = 0.45.
        using var a = tensor(new float[] { 1, 2, 3, 4 }, new long[] { 2, 2 });
        using var b = tensor(new float[] { 0, 1, -1, 2 }, new long[] { 2, 2 });
        Assert.Equal(0.45, RewardLosses.Centring(a, b, 0.1).item<float>(), 5);
        Assert.Equal(0, RewardLosses.Centring(a, b, 0).item<float>());

        // A shift c shared by both videos (a part of r that follows the shared noise): BT does not change, the
        // penalty does, by γ/2 · (2c·(mean a + mean b) + 2c²) = 0.05 · (2 · 3 · 3 + 18) = 1.8 for c = 3.
        using var labels = tensor(new float[] { 1, -1, 1, 0 }, new long[] { 2, 2 });
        using var shiftedA = a + 3;
        using var shiftedB = b + 3;
        Assert.Equal(RewardLosses.BradleyTerry(a - b, labels).item<float>(), RewardLosses.BradleyTerry(shiftedA - shiftedB, labels).item<float>(), 6);
        Assert.Equal(0.45 + 1.8, RewardLosses.Centring(shiftedA, shiftedB, 0.1).item<float>(), 4);
    }

    [Fact]
    public void Bt_of_a_zero_margin_is_ln_2_and_unknown_labels_count_only_in_the_denominator()
    {
        using var margins = tensor(new float[] { 0, 0, 5, 0 }, new long[] { 1, 4 });
        using var labels = tensor(new float[] { 1, -1, 1, 0 }, new long[] { 1, 4 });
        using var valid = tensor(new float[] { 1, 1, 0, 1 }, new long[] { 1, 4 });

        using var loss = RewardLosses.BradleyTerry(margins, labels, valid);

        Assert.Equal(2 * Math.Log(2) / 4, loss.item<float>(), 5);
    }

    [Fact]
    public void Btt_at_a_zero_margin_gives_the_hand_computed_rao_kupper_probabilities()
    {
        // Δ = 0, θ = 5: P(A ≻ B) = 1 / (1 + θ) = 1/6, P(tie) = (θ − 1) / (θ + 1) = 2/3.
        using var margins = zeros(1, 3);
        using var labels = tensor(new float[] { 1, 0, -1 }, new long[] { 1, 3 });
        var expected = (Math.Log(6) + -Math.Log(2.0 / 3) + Math.Log(6)) / 3;

        using var loss = RewardLosses.BradleyTerryWithTies(margins, labels, 5.0);

        Assert.Equal(expected, loss.item<float>(), 5);
    }

    [Theory]
    [InlineData(1.3, -0.4, 5.0)]
    [InlineData(-2.0, 0.5, 5.0)]
    [InlineData(0.7, 0.7, 2.0)]
    [InlineData(3.0, -3.0, 1.5)]
    public void Btt_is_the_negative_log_likelihood_of_the_rao_kupper_model(double rA, double rB, double theta)
    {
        // The closed form from the scores themselves (not from the stable logsigmoid form the loss uses).
        double eA = Math.Exp(rA), eB = Math.Exp(rB);
        var pA = eA / (eA + (theta * eB));
        var pB = eB / ((theta * eA) + eB);
        var pTie = (theta * theta - 1) * eA * eB / ((eA + (theta * eB)) * ((theta * eA) + eB));
        Assert.Equal(1.0, pA + pB + pTie, 10);
        var (a, tie, b) = RewardLosses.RaoKupperProbabilities(rA - rB, theta);
        Assert.Equal(pA, a, 10);
        Assert.Equal(pTie, tie, 10);
        Assert.Equal(pB, b, 10);

        using var margins = full(1, 3, (float)(rA - rB));
        using var labels = tensor(new float[] { 1, 0, -1 }, new long[] { 1, 3 });
        using var loss = RewardLosses.BradleyTerryWithTies(margins, labels, theta);

        Assert.Equal(-(Math.Log(pA) + Math.Log(pTie) + Math.Log(pB)) / 3, loss.item<float>(), 4);
    }

    [Fact]
    public void Btt_stays_finite_for_large_margins()
    {
        using var margins = tensor(new float[] { 80, -80, 80 }, new long[] { 1, 3 });
        using var labels = tensor(new float[] { 1, 1, 0 }, new long[] { 1, 3 });

        using var loss = RewardLosses.BradleyTerryWithTies(margins, labels, 5.0);

        // (A, +80): −log σ(80 − ln 5) ≈ 0; (A, −80): −log σ(−80 − ln 5) ≈ 80 + ln 5;
        // tie at 80: −log σ(80 − ln 5) − log σ(−80 − ln 5) − ln 24 ≈ 0 + 80 + ln 5 − ln 24.
        var expected = (0 + (80 + Math.Log(5)) + (80 + Math.Log(5) - Math.Log(24))) / 3;
        Assert.Equal(expected, loss.item<float>(), 3);
    }

    [Theory]
    [InlineData(1.0)]
    [InlineData(0.5)]
    [InlineData(double.PositiveInfinity)]
    public void Btt_rejects_a_theta_that_is_not_above_one(double theta)
    {
        using var margins = zeros(1, 1);
        using var labels = zeros(1, 1);
        Assert.Throws<ArgumentOutOfRangeException>(() => RewardLosses.BradleyTerryWithTies(margins, labels, theta));
    }

    [Fact]
    public void Regression_is_the_mean_squared_error_over_known_targets()
    {
        using var scores = tensor(new float[] { 1, 2, 3, 4 }, new long[] { 2, 2 });
        using var targets = tensor(new float[] { 0, 2, 5, 4 }, new long[] { 2, 2 });
        using var known = tensor(new[] { true, true, false, true }, new long[] { 2, 2 });

        using var all = RewardLosses.Regression(scores, targets);
        using var masked = RewardLosses.Regression(scores, targets, known);

        Assert.Equal((1 + 0 + 4 + 0) / 4.0, all.item<float>(), 6);
        Assert.Equal((1 + 0 + 0) / 3.0, masked.item<float>(), 6);
    }

    [Fact]
    public void Btt_pulls_tied_margins_to_zero_while_bt_ignores_ties()
    {
        // The gradient of a tie under BTT points Δ back to 0 (symmetric minimum); BT gives no gradient for a tie.
        using var margins = tensor(new float[] { 1.5f }, new long[] { 1, 1 }, requires_grad: true);
        using var tie = zeros(1, 1);
        using (var btt = RewardLosses.BradleyTerryWithTies(margins, tie, 5.0))
        {
            btt.backward();
        }

        Assert.True(margins.grad!.item<float>() > 0);
        margins.grad!.zero_();
        using (var bt = RewardLosses.BradleyTerry(margins, tie))
        {
            bt.backward();
        }

        Assert.Equal(0f, margins.grad!.item<float>());
    }
}
