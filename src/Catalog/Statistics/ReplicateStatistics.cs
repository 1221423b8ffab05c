namespace Pipeline.Catalog.Statistics;

/// <summary>
/// Means of rates measured on several seeds, and differences of such means, with 95 % intervals that account for
/// both the samples within a seed and the variation between seeds (docs/statistics.md derives them).
/// </summary>
/// <remarks>
/// <para>The model: seed s measures p̂_s = μ + u_s + e_s, where u_s is the seed's own effect (variance τ², the same
/// for every seed: which data, initial weights and minibatches it drew) and e_s the sampling noise of its n_s samples
/// (variance σ_s² = p(1 − p)/n_s, <see cref="SeedRate.WithinSeedVariance"/>). The mean over N seeds, p̄, has variance
/// (τ² + σ̄²)/N with σ̄² the mean of the σ_s².</para>
/// <para>The sample variance of the seeds' values, S² (N − 1 in the denominator), has expectation τ² + σ̄² exactly:
/// both levels. So S/√N estimates p̄'s standard error, and (p̄ − μ)/(S/√N) follows t with N − 1 degrees of freedom
/// when the seeds' values are normal. The interval is p̄ ± max(t_{N−1;0.975}·S/√N, z_{0.975}·√(Σσ_s²)/N): the t
/// interval, widened where needed to what the within-seed noise alone implies, so that two seeds which happen to agree
/// never give an interval narrower than their own sampling noise. Widening keeps coverage at 95 % or more. With
/// one seed, S does not exist and the interval is the within-seed (Wald) one, p̂ ± z·√(p̂(1 − p̂)/n).</para>
/// <para>A difference of two means measured on the same seeds (two methods of one replicate set, or two replicate
/// sets run on the same seeds) is paired: the per-seed differences d_s = a_s − b_s take the place of the p̂_s, so
/// whatever a seed does to both sides (a shared pretrained model, shared data) cancels, and the within-seed variance
/// of d_s is σ_a,s² + σ_b,s². That treats the two sides as independent within a seed; two methods compared with the
/// same baseline videos are, if anything, positively correlated, so the floor is then conservative. On different
/// seeds the sides are independent: Welch's interval, with Welch–Satterthwaite degrees of freedom, under the same
/// within-seed floor.</para>
/// </remarks>
public static class ReplicateStatistics
{
    /// <summary>The mean rate across seeds with its 95 % interval, within [0, 1].</summary>
    public static Estimate Mean(IReadOnlyList<SeedRate> seeds)
    {
        RequireSeeds(seeds, nameof(seeds));
        return TwoLevel(seeds.Select(s => s.Rate).ToArray(), seeds.Select(s => s.WithinSeedVariance).ToArray(), 0, 1, paired: false);
    }

    /// <summary>
    /// The difference <paramref name="left"/> − <paramref name="right"/> of two mean rates with its 95 % interval,
    /// within [−1, 1]: paired seed by seed when both were measured on the same seeds, else Welch's.
    /// </summary>
    public static Estimate Difference(IReadOnlyList<SeedRate> left, IReadOnlyList<SeedRate> right)
    {
        RequireSeeds(left, nameof(left));
        RequireSeeds(right, nameof(right));
        var rightBySeed = right.ToDictionary(s => s.Seed);
        if (left.Count == right.Count && left.All(s => rightBySeed.ContainsKey(s.Seed)))
        {
            var differences = left.Select(s => s.Rate - rightBySeed[s.Seed].Rate).ToArray();
            var variances = left.Select(s => s.WithinSeedVariance + rightBySeed[s.Seed].WithinSeedVariance).ToArray();
            return TwoLevel(differences, variances, -1, 1, paired: true);
        }

        return Welch(left, right);
    }

    /// <summary>p̄ ± max(t_{N−1}·S/√N, z·√(Σσ²)/N), clipped to [low, high]; see the remarks.</summary>
    private static Estimate TwoLevel(double[] values, double[] withinVariances, double low, double high, bool paired)
    {
        var n = values.Length;
        var mean = values.Average();
        var withinSe = Math.Sqrt(withinVariances.Sum()) / n;
        var half = StudentT.Z975 * withinSe;
        double? sd = null;
        if (n >= 2)
        {
            sd = Math.Sqrt(values.Sum(v => (v - mean) * (v - mean)) / (n - 1));
            half = Math.Max(half, StudentT.Critical95(n - 1) * sd.Value / Math.Sqrt(n));
        }

        return new Estimate(mean, Math.Max(low, mean - half), Math.Min(high, mean + half), n, sd, withinSe, paired);
    }

    /// <summary>
    /// Independent sides: each side's variance of its mean is S²/N (σ²/N with one seed, a known variance: infinite
    /// degrees of freedom); the t quantile takes the Welch–Satterthwaite degrees of freedom of their sum.
    /// </summary>
    private static Estimate Welch(IReadOnlyList<SeedRate> left, IReadOnlyList<SeedRate> right)
    {
        var a = Side(left);
        var b = Side(right);
        var value = a.Mean - b.Mean;
        var variance = a.Variance + b.Variance;
        var denominator = (double.IsPositiveInfinity(a.Freedom) ? 0 : a.Variance * a.Variance / a.Freedom)
            + (double.IsPositiveInfinity(b.Freedom) ? 0 : b.Variance * b.Variance / b.Freedom);
        var freedom = denominator > 0 ? variance * variance / denominator : Math.Min(a.Freedom, b.Freedom);
        var withinSe = Math.Sqrt((a.WithinSe * a.WithinSe) + (b.WithinSe * b.WithinSe));
        var half = Math.Max(StudentT.Critical95(freedom) * Math.Sqrt(variance), StudentT.Z975 * withinSe);
        return new Estimate(value, Math.Max(-1, value - half), Math.Min(1, value + half), Math.Min(left.Count, right.Count), null, withinSe, Paired: false);
    }

    private static (double Mean, double Variance, double Freedom, double WithinSe) Side(IReadOnlyList<SeedRate> seeds)
    {
        var estimate = TwoLevel(seeds.Select(s => s.Rate).ToArray(), seeds.Select(s => s.WithinSeedVariance).ToArray(), 0, 1, paired: false);
        return estimate.BetweenSeedSd is { } sd
            ? (estimate.Value, sd * sd / seeds.Count, seeds.Count - 1, estimate.WithinSeedSe)
            : (estimate.Value, estimate.WithinSeedSe * estimate.WithinSeedSe, double.PositiveInfinity, estimate.WithinSeedSe);
    }

    private static void RequireSeeds(IReadOnlyList<SeedRate> seeds, string name)
    {
        ArgumentNullException.ThrowIfNull(seeds, name);
        if (seeds.Count == 0)
        {
            throw new ArgumentException("an estimate needs at least one seed", name);
        }

        foreach (var seed in seeds)
        {
            seed.Validate();
        }

        if (seeds.Select(s => s.Seed).Distinct().Count() != seeds.Count)
        {
            throw new ArgumentException("each seed may be measured once", name);
        }
    }
}
