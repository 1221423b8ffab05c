using Pipeline.Catalog.Statistics;

namespace Pipeline.Catalog.Tests.Statistics;

/// <summary>
/// The intervals of <see cref="ReplicateStatistics"/> against cases computed by hand (docs/statistics.md). z = 1.959964,
/// t(2) = 4.302653 (closed form: √(2·0.95²/(1 − 0.95²))), t(4) = 2.776445.
/// </summary>
public sealed class ReplicateStatisticsTests
{
    private const int Digits = 9;

    private static SeedRate[] Seeds(int n, params double[] rates) => rates.Select((r, i) => new SeedRate(i + 1, r, n)).ToArray();

    [Fact]
    public void One_seed_gives_the_within_seed_wald_interval()
    {
        // p = 0.75 over n = 256: √(0.75·0.25/256) = 0.0270633, × 1.959964 = 0.0530431.
        var estimate = ReplicateStatistics.Mean(Seeds(256, 0.75));
        Assert.Equal(0.75, estimate.Value, Digits);
        Assert.Equal(0.6969569187, estimate.Lower, Digits);
        Assert.Equal(0.8030430813, estimate.Upper, Digits);
        Assert.Null(estimate.BetweenSeedSd);
        Assert.Equal(1, estimate.Seeds);
    }

    [Fact]
    public void Three_seeds_that_disagree_give_the_t_interval_of_their_spread()
    {
        // Rates 0.70, 0.80, 0.60 over n = 100: mean 0.70, S² = (0 + 0.01 + 0.01)/2 = 0.01, S = 0.1;
        // t(2)·S/√3 = 4.302653 × 0.1 / 1.732051 = 0.2484138. The within-seed floor is smaller:
        // √(0.0021 + 0.0016 + 0.0024)/3 × 1.959964 = 0.0510260. So 0.70 ± 0.2484138.
        var estimate = ReplicateStatistics.Mean(Seeds(100, 0.70, 0.80, 0.60));
        Assert.Equal(0.70, estimate.Value, Digits);
        Assert.Equal(0.1, estimate.BetweenSeedSd!.Value, Digits);
        Assert.Equal(0.4515862288, estimate.Lower, Digits);
        Assert.Equal(0.9484137712, estimate.Upper, Digits);
        Assert.Equal(Math.Sqrt(0.0061) / 3, estimate.WithinSeedSe, Digits);
    }

    [Fact]
    public void Seeds_that_agree_by_chance_keep_the_within_seed_noise()
    {
        // 0.60 and 0.60 over n = 256: S = 0, so the t part is 0; the floor is
        // √(2 × 0.6·0.4/256)/2 × 1.959964 = 0.0424345.
        var estimate = ReplicateStatistics.Mean(Seeds(256, 0.60, 0.60));
        Assert.Equal(0.0, estimate.BetweenSeedSd!.Value, Digits);
        Assert.Equal(0.5575655350, estimate.Lower, Digits);
        Assert.Equal(0.6424344650, estimate.Upper, Digits);
    }

    [Fact]
    public void Two_methods_on_the_same_seeds_are_compared_seed_by_seed()
    {
        // A: 0.70, 0.80, 0.60; B: 0.60, 0.65, 0.55 (n = 100, seeds 1 to 3). d = 0.10, 0.15, 0.05: mean 0.10,
        // S_d = 0.05, t(2)·0.05/√3 = 0.1242069; the floor √(0.0061 + 0.00715)/3 × 1.959964 = 0.0752029 is smaller.
        // 0.10 ± 0.1242069 = [−0.0242069, 0.2242069]: it covers 0.
        var difference = ReplicateStatistics.Difference(Seeds(100, 0.70, 0.80, 0.60), Seeds(100, 0.60, 0.65, 0.55));
        Assert.True(difference.Paired);
        Assert.Equal(0.10, difference.Value, Digits);
        Assert.Equal(0.05, difference.BetweenSeedSd!.Value, Digits);
        Assert.Equal(-0.0242068856, difference.Lower, Digits);
        Assert.Equal(0.2242068856, difference.Upper, Digits);
        Assert.True(difference.Covers(0));
    }

    [Fact]
    public void Pairing_removes_what_a_seed_does_to_both_sides()
    {
        // Each seed moves both methods alike (+0.2 on seed 2): unpaired, the spread of each side hides the
        // difference; paired, every seed shows A ahead by exactly 0.05 (S_d = 0), and only the within-seed floor
        // remains: √(Σ p(1 − p)/1000)/3 × 1.959964 over p = 0.6, 0.8, 0.7, 0.55, 0.75, 0.65 = 0.0233054.
        var a = new[] { new SeedRate(11, 0.60, 1000), new SeedRate(12, 0.80, 1000), new SeedRate(13, 0.70, 1000) };
        var b = new[] { new SeedRate(12, 0.75, 1000), new SeedRate(11, 0.55, 1000), new SeedRate(13, 0.65, 1000) };
        var paired = ReplicateStatistics.Difference(a, b);
        Assert.True(paired.Paired);
        Assert.Equal(0.05, paired.Value, Digits);
        Assert.Equal(0.0266946445131, paired.Lower, Digits);
        Assert.Equal(0.0733053554869, paired.Upper, Digits);
        Assert.False(paired.Covers(0));
    }

    [Fact]
    public void Sides_on_different_seeds_get_welchs_interval()
    {
        // A: one seed, 0.50 over n = 100 (known variance 0.0025, infinite degrees of freedom). B: seeds 4 and 5,
        // 0.50 and 0.60 over n = 100: S² = 0.005, variance of the mean 0.0025, 1 degree of freedom.
        // Welch–Satterthwaite: (0.0025 + 0.0025)² / (0.0025²/1) = 4 degrees of freedom; t(4) √0.005 = 0.1963243.
        // −0.05 ± 0.1963243 (the floor, √(0.0025 + 0.0049/4) × 1.959964 = 0.1196220, is smaller).
        var difference = ReplicateStatistics.Difference([new SeedRate(1, 0.50, 100)], [new SeedRate(4, 0.50, 100), new SeedRate(5, 0.60, 100)]);
        Assert.False(difference.Paired);
        Assert.Equal(-0.05, difference.Value, Digits);
        Assert.Equal(-0.2463243161, difference.Lower, Digits);
        Assert.Equal(0.1463243161, difference.Upper, Digits);
    }

    [Fact]
    public void Intervals_stay_within_what_a_rate_can_be()
    {
        var high = ReplicateStatistics.Mean(Seeds(10, 0.99, 0.70));
        Assert.Equal(1.0, high.Upper);
        Assert.True(high.Lower >= 0);
        var certain = ReplicateStatistics.Difference(Seeds(10, 1.0, 0.0), Seeds(10, 0.0, 1.0));
        Assert.Equal(-1.0, certain.Lower);
        Assert.Equal(1.0, certain.Upper);
    }

    [Fact]
    public void Bad_measurements_are_refused()
    {
        Assert.Throws<ArgumentException>(() => ReplicateStatistics.Mean([]));
        Assert.Throws<ArgumentException>(() => ReplicateStatistics.Mean([new SeedRate(1, 1.5, 10)]));
        Assert.Throws<ArgumentException>(() => ReplicateStatistics.Mean([new SeedRate(1, 0.5, 0)]));
        Assert.Throws<ArgumentException>(() => ReplicateStatistics.Mean([new SeedRate(1, 0.5, 10), new SeedRate(1, 0.6, 10)]));
    }
}
