using Pipeline.Runtime.Data.Evaluation;
using Pipeline.Runtime.Kinds.WinRates;

namespace Pipeline.Runtime.Tests.Evaluation;

public sealed class WinRatesTests
{
    [Fact]
    public void Wins_ties_and_losses_are_counted_with_a_tie_as_one_half()
    {
        // Samples: 3>1 win, 1<2 loss, 2=2 tie, 2>0 win, 5=5 tie → (2 + ½·2) / 5 = 0.6.
        var rate = WinRates.Compare(new double[] { 3, 1, 2, 2, 5 }, new double[] { 1, 2, 2, 0, 5 });

        Assert.Equal((2, 2, 1, 5), (rate.Wins, rate.Ties, rate.Losses, rate.N));
        Assert.Equal(0.6, rate.Rate, 12);
        // Wilson 95 %, computed by hand: z² = 3.841459, centre = (0.6 + z²/10) / (1 + z²/5) = 0.556553,
        // half-width = z·√(0.24/5 + z²/100) / (1 + z²/5) = 0.325829.
        Assert.Equal(0.2307242812760128, rate.Lower, 9);
        Assert.Equal(0.882379225767352, rate.Upper, 9);
    }

    [Theory]
    [InlineData(0.75, 256, 0.6935249374688035, 0.7990831343182607)]
    [InlineData(1.0, 10, 0.7224672001371107, 1.0)]
    public void The_Wilson_interval_matches_hand_computed_values(double p, int n, double lower, double upper)
    {
        var (l, u) = WinRates.Wilson(p, n);
        Assert.Equal(lower, l, 9);
        Assert.Equal(upper, u, 9);
    }

    [Fact]
    public void Overall_is_the_mean_of_the_z_normalised_dimensions()
    {
        var raw = new[] { new double[] { 1, 3 }, new double[] { 10, 10 } };
        var overall = WinRates.Overall(raw, new double[] { 1, 4 }, new double[] { 2, 3 });

        // Sample 0: ((1−1)/2 + (10−4)/3) / 2 = 1; sample 1: ((3−1)/2 + 2) / 2 = 1.5.
        Assert.Equal(new[] { 1.0, 1.5 }, overall);
    }

    [Fact]
    public void Spearman_uses_average_ranks_for_ties()
    {
        // Ranks of y = [5, 6, 7, 8, 7] are [1, 2, 3.5, 5, 3.5]; Pearson with [1..5] is 0.820783 (by hand).
        Assert.Equal(new[] { 1, 2, 3.5, 5, 3.5 }, RankCorrelation.Ranks(new double[] { 5, 6, 7, 8, 7 }));
        Assert.Equal(0.8207826816681233, RankCorrelation.Spearman(new double[] { 1, 2, 3, 4, 5 }, new double[] { 5, 6, 7, 8, 7 }), 12);
        Assert.Equal(-1.0, RankCorrelation.Spearman(new double[] { 1, 2, 3 }, new double[] { 9, 4, 1 }), 12);
    }
}
