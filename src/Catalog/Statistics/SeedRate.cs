namespace Pipeline.Catalog.Statistics;

/// <summary>
/// One seed's measurement of a rate: a win rate (a tie counting ½) over <paramref name="N"/> samples, as
/// results.json writes it (<c>win_rates.JUDGE.METHOD.DIMENSION</c> and its <c>n</c>).
/// </summary>
/// <param name="Seed">The experiment seed the run used; two measurements with the same seed are paired.</param>
/// <param name="Rate">The rate, in [0, 1].</param>
/// <param name="N">The samples it was measured on, 1 or more.</param>
public sealed record SeedRate(long Seed, double Rate, int N)
{
    /// <summary>
    /// The binomial variance of the rate within its seed, p(1 − p)/n. With ties scored ½ a sample's outcome x lies in
    /// {0, ½, 1}, whose variance is p(1 − p) − t/4 for a tie share t, so this is exact without ties and an upper bound
    /// with them (results.json keeps no tie count).
    /// </summary>
    public double WithinSeedVariance => Rate * (1 - Rate) / N;

    internal void Validate()
    {
        if (!(Rate >= 0 && Rate <= 1) || N < 1)
        {
            throw new ArgumentException($"a rate must lie in [0, 1] over 1 or more samples; seed {Seed} has {Rate} over {N}");
        }
    }
}
